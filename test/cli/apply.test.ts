import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedReport, progressLine } from '../../src/cli/apply.js';
import type { ApplyResult } from '../../src/apply/apply.js';
import { addBrokenWheel, applyFixture, type ApplyFixture } from '../apply/fixture.js';
import { runCli } from '../helpers/cli.js';

const PROJECT = join(import.meta.dirname, '../..');

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
      const { code, err } = await runCli(['apply', '--host', 'demo', '--repo', join(PROJECT, 'fleet'), '--state-dir', join(tmp, 'state'), '--yes', `--wait=${wait}`], { cwd: PROJECT, env: { ...process.env, NO_COLOR: '1' } });
      expect(code).toBe(1);
      expect(err).toContain('--wait takes a number of seconds');
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

describe('gitfleet apply when a batch fails under `rollback: never` (a real venv and a wheel pip refuses)', () => {
  let f: ApplyFixture;
  const never = 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\nrollback: never\n';
  const run = async (state: string, extra: string[] = []) => {
    const r = await runCli(['apply', '--host', 'h1', '--repo', f.repo.remote, '--state-dir', state, '--yes', ...extra], { cwd: f.tmp, env: { ...process.env, NO_COLOR: '1' } });
    return { code: r.code, stdout: r.out, stderr: r.err };
  };

  beforeAll(async () => {
    // pip run by the CLI inherits this environment: keep its cache out of the home folder
    vi.stubEnv('PIP_NO_CACHE_DIR', '1');
    f = await applyFixture();
    await addBrokenWheel(f);
    await f.repo.commit(f.files({ pip: { alpha: '1.0.0', beta: '2.0.0' } }, { 'policies/p.yaml': never }));
    // two hosts' worth of state in the same place: one for the human output, one for --json
    for (const s of ['human', 'json']) expect((await run(join(f.tmp, s))).code).toBe(0);
    // One pip batch: uninstall beta (goes), install alpha 1.1.0 (goes in) and broken 1.0 (fails).
    await f.repo.commit(f.files({ pip: { alpha: '1.1.0', broken: '1.0' } }, { 'policies/p.yaml': never }));
  }, 180_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    if (f) await rm(f.tmp, { recursive: true, force: true });
  });

  it('names what really changed before the failure', async () => {
    const out = await run(join(f.tmp, 'human'));
    expect(out.code).toBe(1);
    const tail = out.stdout.slice(out.stdout.indexOf('Apply FAILED')).split('\n');
    expect(tail[0]).toMatch(/^Apply FAILED \(.*broken.*\); policy says rollback: never, so what changed stays\.$/);
    expect(tail.slice(1)).toEqual([
      'Changed before the failure (read back from the host):',
      '  - sandbox:py pip beta 2.0.0',
      '  ~ sandbox:py pip alpha 1.0.0 → 1.1.0',
      '',
    ]);
  }, 120_000);

  it('--json carries the same in result.changed', async () => {
    const out = await run(join(f.tmp, 'json'), ['--json']);
    expect(out.code).toBe(1);
    const doc = JSON.parse(out.stdout) as { result: ApplyResult };
    expect(doc.result.status).toBe('failed');
    expect(doc.result.changed).toEqual([
      { target: 'sandbox:py', manager: 'pip', name: 'beta', from: '2.0.0' },
      { target: 'sandbox:py', manager: 'pip', name: 'alpha', from: '1.0.0', to: '1.1.0' },
    ]);
    expect(doc.result).not.toHaveProperty('unobserved');
  }, 120_000);
});

describe('the failed-apply report', () => {
  const base: ApplyResult = { status: 'failed', changed: [], health: [], durationMs: 5, error: { code: 'E_COMMAND_FAILED', message: 'pip exited with 1', stage: 'batch' } };
  const lines = (r: ApplyResult) => {
    const out: string[] = [];
    failedReport((s) => out.push(s), r);
    return out.slice(1);
  };

  it.each<[string, Partial<ApplyResult>, string[]]>([
    ['nothing changed', {}, ['Nothing changed before the failure.']],
    ['an install, and a target that could not be read back', {
      changed: [{ target: 'system', manager: 'apt', name: 'jq', to: '1.6-2' }],
      unobserved: ['sandbox:box pip: cannot list pip packages inside docker sandbox box: it is not running'],
    }, [
      'Changed before the failure (read back from the host):',
      '  + system apt jq 1.6-2',
      'Not read back, so what changed there is not known (plan again to see):',
      '  sandbox:box pip: cannot list pip packages inside docker sandbox box: it is not running',
    ]],
    ['only an unobserved target', { unobserved: ['sandbox:box pip: gone'] }, [
      'Not read back, so what changed there is not known (plan again to see):',
      '  sandbox:box pip: gone',
    ]],
    ['a failed health check: the planned changes, not read back', {
      error: { code: 'E_HEALTH', message: 'health check failed: imports', stage: 'health' },
      changed: [{ target: 'sandbox:py', manager: 'pip', name: 'alpha', from: '1.0.0', to: '0.9.0' }],
    }, ['Changed:', '  ~ sandbox:py pip alpha 1.0.0 → 0.9.0']],
  ])('%s', (_name, over, want) => {
    expect(lines({ ...base, ...over })).toEqual(want);
  });
});
