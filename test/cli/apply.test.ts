import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progressLine } from '../../src/cli/apply.js';
import { main } from '../../src/cli/main.js';

const PROJECT = join(import.meta.dirname, '../..');

/** A stream that keeps what is written to it. */
function capture(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
  return Object.assign(w, { text: () => chunks.join('') });
}

describe('apply progress on a terminal', () => {
  it('draws a bar when a batch starts and completes it in place when it ends', () => {
    const start = progressLine({ phase: 'batch-start', index: 2, total: 4, target: 'sandbox:py', manager: 'pip', count: 3 });
    const done = progressLine({ phase: 'batch-done', index: 2, total: 4, target: 'sandbox:py', manager: 'pip' });
    expect(start).toBe('\r\u001b[2K[#####---------------] 2/4 sandbox:py pip: 3 change(s)…');
    expect(done).toBe('\r\u001b[2K[##########----------] 2/4 sandbox:py pip: done\n');
    expect(progressLine({ phase: 'batch-failed', index: 4, total: 4, target: 'system', manager: 'apt', detail: 'exit 100' })).toContain('FAILED: exit 100\n');
  });
});

describe('gitfleet apply flags', () => {
  it.each([['abc'], ['-5'], ['']])('refuses --wait=%s before touching the state directory', async (wait) => {
    const tmp = await mkdtemp(join(tmpdir(), 'gitfleet-cli-apply-'));
    try {
      const stdout = capture();
      const stderr = capture();
      const code = await main(['apply', '--host', 'demo', '--repo', join(PROJECT, 'fleet'), '--state-dir', join(tmp, 'state'), '--yes', `--wait=${wait}`], { stdout, stderr, cwd: PROJECT, env: { ...process.env, NO_COLOR: '1' } });
      expect(code).toBe(1);
      expect(stderr.text()).toContain('--wait takes a number of seconds');
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
