import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCode, failedReport, progressLine, recoveredHealthReport } from '../../src/cli/apply.js';
import type { ApplyResult } from '../../src/apply/apply.js';
import { applyHost, type HostApplyOutcome } from '../../src/apply/run.js';
import type { HealthResult } from '../../src/apply/health.js';
import { CommandError, execRunner } from '../../src/util/exec.js';
import { statePaths } from '../../src/util/state-dir.js';
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

const NEVER = 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\nrollback: never\n';
const ALPHA_IMPORTS = '  - {name: alpha-imports, command: [python, -c, "import alpha"], target: "sandbox:py", timeout: 20s}\n';
// One check passes on what the crashed apply left, one fails with a reason on stderr.
const CHECKED = `${NEVER}healthChecks:\n${ALPHA_IMPORTS}  - {name: alpha-pinned, command: [python, -c, "import sys; sys.stderr.write('alpha 1.1.0 is not allowed here\\\\n'); sys.exit(3)"], target: "sandbox:py", timeout: 20s}\n`;
// Only the check that passes.
const PASSING = `${NEVER}healthChecks:\n${ALPHA_IMPORTS}`;

// What the CLI prints first after such a crash (alpha-imports passes), and last when alpha-pinned failed.
const RECOVERED_PASSED = ['recovered an interrupted apply: kept', '  its batches had all finished; its health checks, run now on what it left:', '  passed alpha-imports'];
const PINNED_FAILED_NOTE = 'Exit code 1: the interrupted apply FAILED its health check alpha-pinned; the host ran what it left, unchecked, until now.';

/** test/apply/crash-child.mjs: an apply in its own process that SIGKILLs itself once batch `n` is recorded done. */
async function crashAfter(f: ApplyFixture, stateDir: string, n: number): Promise<void> {
  const o = f.options({ stateDir });
  const json = JSON.stringify({ host: o.host, repo: o.repo, stateDir, env: o.env, batchTimeoutMs: o.batchTimeoutMs });
  const err = await execRunner.run({ file: process.execPath, args: [join(PROJECT, 'test/apply/crash-child.mjs'), json, String(n)], timeoutMs: 120_000 })
    .then((r) => new Error(`the child did not crash: exit ${r.exitCode}`), (e: unknown) => e);
  expect(err).toBeInstanceOf(CommandError);
  expect((err as CommandError).signal).toBe('SIGKILL');
}

/** The journal a crash after the last batch leaves under `rollback: never`; its revision. */
async function crashedAfterLastBatch(stateDir: string): Promise<string> {
  const journal = JSON.parse(await readFile(statePaths(stateDir).journal, 'utf8')) as { revision: string; status: string; rollback: string; batches: { state: string }[] };
  expect(journal).toMatchObject({ status: 'running', rollback: 'never', batches: [{ state: 'done' }] });
  return journal.revision;
}

describe('gitfleet apply after a crash under `rollback: never` past the last batch (a real kill -9): the health checks recovery ran', () => {
  let f: ApplyFixture;
  const run = (state: string, extra: string[] = []) => runCli(['apply', '--host', 'h1', '--repo', f.repo.remote, '--state-dir', state, '--yes', ...extra], { cwd: f.tmp, env: { ...process.env, NO_COLOR: '1' } });
  let revision = '';

  beforeAll(async () => {
    f = await applyFixture();
    await f.repo.commit(f.files({ pip: { alpha: '1.0.0', beta: '2.0.0' } }, { 'policies/p.yaml': NEVER }));
    for (const s of ['human', 'json']) expect((await applyHost(f.options({ stateDir: join(f.tmp, s) }))).result?.status).toBe('applied');
    await f.repo.commit(f.files({ pip: { alpha: '1.1.0', beta: '2.0.0' } }, { 'policies/p.yaml': CHECKED }));
    // One batch (pip in sandbox:py): killed once it is done, before the checks.
    for (const s of ['human', 'json']) {
      await crashAfter(f, join(f.tmp, s), 1);
      revision = await crashedAfterLastBatch(join(f.tmp, s));
    }
  }, 180_000);

  afterAll(async () => {
    if (f) await rm(f.tmp, { recursive: true, force: true });
  });

  it('prints each check passed or FAILED with its reason, then refuses the revision the failed check marked bad', async () => {
    const out = await run(join(f.tmp, 'human'));
    expect(out.code).toBe(1);
    const lines = out.out.split('\n');
    expect(lines.slice(0, 4)).toEqual([...RECOVERED_PASSED, '  FAILED alpha-pinned: exited with 3: alpha 1.1.0 is not allowed here']);
    expect(lines.slice(-3)).toEqual([
      `Revision ${revision} failed on this host before; not applying it again (pass --retry-bad to try anyway).`,
      PINNED_FAILED_NOTE,
      '',
    ]);
  }, 120_000);

  it('--json carries them in recoveredHealth', async () => {
    const out = await run(join(f.tmp, 'json'), ['--json']);
    expect(out.code).toBe(1);
    const doc = JSON.parse(out.out) as { recovered: string; recoveredHealth: HealthResult[]; skipped: string };
    expect(doc).toMatchObject({ recovered: 'kept', skipped: 'bad-revision' });
    expect(doc.recoveredHealth).toEqual([
      { name: 'alpha-imports', ok: true, ms: expect.any(Number) },
      { name: 'alpha-pinned', ok: false, ms: expect.any(Number), detail: 'exited with 3: alpha 1.1.0 is not allowed here' },
    ]);
    // The next run finds no journal: nothing recovered, nothing to report.
    const again = JSON.parse((await run(join(f.tmp, 'json'), ['--json'])).out) as { recovered: string | null; recoveredHealth: HealthResult[] | null };
    expect(again).toMatchObject({ recovered: null, recoveredHealth: null });
  }, 120_000);
});

describe('gitfleet apply after a crash under `rollback: never` past the last batch, then a newer head (a real kill -9): the exit code counts both', () => {
  let f: ApplyFixture;
  const run = (state: string, extra: string[] = []) => runCli(['apply', '--host', 'h1', '--repo', f.repo.remote, '--state-dir', state, '--yes', ...extra], { cwd: f.tmp, env: { ...process.env, NO_COLOR: '1' } });
  const state = (name: string) => join(f.tmp, name);
  interface Doc { recovered: string | null; recoveredHealth: HealthResult[] | null; skipped: string | null; result: ApplyResult | null }

  beforeAll(async () => {
    f = await applyFixture();
    await addBrokenWheel(f);
    await f.repo.commit(f.files({ pip: { alpha: '1.0.0', beta: '2.0.0' } }, { 'policies/p.yaml': NEVER }));
    const failing = ['failed-then-applied', 'failed-then-applied-json'];
    const passing = ['passed-then-failed-json', 'passed-then-applied'];
    await Promise.all([...failing, ...passing].map(async (s) => expect((await applyHost(f.options({ stateDir: state(s) }))).result?.status).toBe('applied')));
    // alpha 1.1.0 in one batch, killed once it is done: under CHECKED recovery finds alpha-pinned failing, under PASSING all pass.
    for (const [policy, states] of [[CHECKED, failing], [PASSING, passing]] as const) {
      await f.repo.commit(f.files({ pip: { alpha: '1.1.0', beta: '2.0.0' } }, { 'policies/p.yaml': policy }));
      await Promise.all(states.map(async (s) => {
        await crashAfter(f, state(s), 1);
        await crashedAfterLastBatch(state(s));
      }));
    }
  }, 180_000);

  afterAll(async () => {
    if (f) await rm(f.tmp, { recursive: true, force: true });
  });

  it('a recovered check FAILED, then the newer head applies cleanly: exit 1, and the last line says why', async () => {
    // Head: alpha back to 1.0.0, no checks.
    await f.repo.commit(f.files({ pip: { alpha: '1.0.0', beta: '2.0.0' } }, { 'policies/p.yaml': NEVER }));
    const out = await run(state('failed-then-applied'));
    expect(out.code).toBe(1);
    const lines = out.out.split('\n');
    expect(lines.slice(0, 4)).toEqual([...RECOVERED_PASSED, '  FAILED alpha-pinned: exited with 3: alpha 1.1.0 is not allowed here']);
    expect(lines.slice(-3)).toEqual([
      expect.stringMatching(/^Apply complete in [\d.]+ s: 0 sandbox\(es\) created, 0 installed, 0 upgraded, 1 downgraded, 0 removed\.$/),
      PINNED_FAILED_NOTE,
      '',
    ]);

    const json = await run(state('failed-then-applied-json'), ['--json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.out) as Doc;
    expect(doc).toMatchObject({ recovered: 'kept', skipped: null, result: { status: 'applied', changed: [{ target: 'sandbox:py', manager: 'pip', name: 'alpha', from: '1.1.0', to: '1.0.0' }] } });
    expect(doc.recoveredHealth?.map((h) => [h.name, h.ok])).toEqual([['alpha-imports', true], ['alpha-pinned', false]]);
  }, 120_000);

  it('the recovered checks passed, then the newer head fails: exit 1, --json carries both', async () => {
    // Head: broken 1.0, which pip refuses: the batch fails, and under rollback: never what it did stays.
    await f.repo.commit(f.files({ pip: { alpha: '1.1.0', broken: '1.0' } }, { 'policies/p.yaml': NEVER }));
    const json = await run(state('passed-then-failed-json'), ['--json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.out) as Doc;
    expect(doc).toMatchObject({ recovered: 'kept', skipped: null, result: { status: 'failed', error: { stage: 'batch' } } });
    expect(doc.recoveredHealth).toEqual([{ name: 'alpha-imports', ok: true, ms: expect.any(Number) }]);
  }, 120_000);

  it('the recovered checks passed, then the newer head applies cleanly: exit 0, no failure line', async () => {
    await f.repo.commit(f.files({ pip: { alpha: '1.0.0', beta: '2.1.0' } }, { 'policies/p.yaml': NEVER }));
    const out = await run(state('passed-then-applied'));
    expect(out.code).toBe(0);
    const lines = out.out.split('\n');
    expect(lines.slice(0, 3)).toEqual(RECOVERED_PASSED);
    expect(lines.slice(-2)).toEqual([expect.stringMatching(/^Apply complete in [\d.]+ s: 0 sandbox\(es\) created, 0 installed, 1 upgraded, 1 downgraded, 0 removed\.$/), '']);
  }, 120_000);
});

describe('the exit code', () => {
  const applied: ApplyResult = { status: 'applied', changed: [], health: [], durationMs: 5 };
  const check = (ok: boolean): HealthResult => ({ name: 'c', ok, ms: 1 });

  it.each<[string, 0 | 1, HostApplyOutcome]>([
    ['applied', 0, { result: applied }],
    ['nothing to do', 0, { result: { ...applied, status: 'no-changes' } }],
    ['a dry run', 0, { skipped: 'dry-run' }],
    ['gated', 0, { skipped: 'gated' }],
    ['rolled back', 1, { result: { ...applied, status: 'rolled-back' } }],
    ['failed under rollback: never', 1, { result: { ...applied, status: 'failed' } }],
    ['the rollback failed', 1, { result: { ...applied, status: 'rollback-failed' } }],
    ['a bad revision', 1, { skipped: 'bad-revision' }],
    ['a secret failed', 1, { result: applied, secrets: { written: [], created: [], removed: [], envWritten: [], envRemoved: [], errors: [{ key: 'k', code: 'E_SECRET', message: 'm' }] } }],
    ['recovered checks passed, then applied', 0, { recovered: 'kept', recoveredHealth: [check(true)], result: applied }],
    ['recovered checks passed, then nothing to do', 0, { recovered: 'kept', recoveredHealth: [check(true), check(true)], result: { ...applied, status: 'no-changes' } }],
    ['a recovered check failed, then applied', 1, { recovered: 'kept', recoveredHealth: [check(true), check(false)], result: applied }],
    ['a recovered check failed, then nothing to do', 1, { recovered: 'kept', recoveredHealth: [check(false)], result: { ...applied, status: 'no-changes' } }],
  ])('%s: exit %i', (_name, want, out) => {
    expect(exitCode(out)).toBe(want);
  });
});

describe('the recovered health report', () => {
  const lines = (checks: HealthResult[]) => {
    const out: string[] = [];
    recoveredHealthReport((s) => out.push(s), checks);
    return out;
  };

  it.each<[string, HealthResult[], string[]]>([
    ['no checks in the policy', [], ['  its batches had all finished and the policy has no health checks: the apply is complete']],
    ['a failure without a detail, and one whose detail is long and spans lines', [
      { name: 'a', ok: false, ms: 1 },
      { name: 'b', ok: false, ms: 1, detail: `exited with 1: ${'x'.repeat(100)} |\n ${'y'.repeat(100)}` },
    ], [
      '  its batches had all finished; its health checks, run now on what it left:',
      '  FAILED a: failed',
      `  FAILED b: exited with 1: ${'x'.repeat(100)} | ${'y'.repeat(159 - 'exited with 1: '.length - 103)}…`,
    ]],
  ])('%s', (_name, checks, want) => {
    expect(lines(checks)).toEqual(want);
  });
});
