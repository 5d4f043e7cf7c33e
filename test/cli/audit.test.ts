// `gitfleet audit verify` through the real CLI entry point, with captured streams.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/events/audit.js';
import { statePaths } from '../../src/util/state-dir.js';
import { runCli } from '../helpers/cli.js';

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => runCli(argv, { env });

let stateDir: string;
let logPath: string;
let head: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'gitfleet-audit-cli-'));
  logPath = statePaths(stateDir).audit;
  const log = await AuditLog.open(logPath);
  for (let i = 0; i < 10; i++) await log.append('apply.action', { i });
  head = log.head.hash;
  await log.close();
});
afterAll(async () => { await rm(stateDir, { recursive: true, force: true }); });

describe('gitfleet audit verify', () => {
  it('says OK with the entry count and chain head, exit 0 (--state-dir)', async () => {
    const { code, out, err } = await run(['audit', 'verify', '--state-dir', stateDir]);
    expect({ code, out, err }).toEqual({ code: 0, out: `audit log OK: 10 entries, chain head ${head.slice(0, 12)}\n`, err: '' });
  });

  it('finds the log through GITFLEET_STATE_DIR and prints JSON', async () => {
    const { code, out } = await run(['audit', 'verify', '--json'], { GITFLEET_STATE_DIR: stateDir });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ file: logPath, ok: true, entries: 10, head });
  });

  it('names the line and the problem, exit 1 (--file)', async () => {
    const broken = join(stateDir, 'broken.jsonl');
    const ls = (await readFile(logPath, 'utf8')).split('\n');
    ls.splice(3, 1); // remove line 4
    await writeFile(broken, ls.join('\n'));
    const text = await run(['audit', 'verify', '--file', broken]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(new RegExp(`^audit log BROKEN at ${broken}:4: removed: seq 4 is missing`));
    const json = await run(['audit', 'verify', '--file', broken, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ file: broken, ok: false, line: 4, problem: 'removed' });
  });

  it('a missing log is an error, exit 1', async () => {
    const { code, err } = await run(['audit', 'verify', '--file', join(stateDir, 'none.jsonl')]);
    expect(code).toBe(1);
    expect(err).toContain('no audit log at');
  });

  it.each([[['audit']], [['audit', 'check']], [['audit', 'verify', 'extra']], [['audit', 'verify', '--bogus']]])('%j is a usage error', async (argv) => {
    const { code, err } = await run(argv);
    expect(code).toBe(1);
    expect(err).toContain('Usage: gitfleet audit verify');
  });

  it('has help with an example', async () => {
    const { code, out } = await run(['audit', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: gitfleet audit verify');
    expect(out).toMatch(/Examples:\n {2}gitfleet audit verify/);
    const top = await run(['--help']);
    expect(top.out).toMatch(/^ {2}audit +verify this host's hash-chained audit log$/m);
  });
});
