// The whole host path with a private pip index whose credentials a baseline names by secret key: the secret is set
// with `secret set`'s code in the same revision as the baseline that uses it, decrypted by the apply of that revision
// for its look-ups and installs and written to the store before its first batch; a crash recovery reads it there. A
// key the host lacks is refused by validation; a key that does not decrypt is a clear, value-free failure.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyHost, type HostApplyOutcome, type HostRunOptions } from '../../src/apply/run.js';
import { renderPlan } from '../../src/plan/render.js';
import { newIdentity } from '../../src/secrets/age.js';
import { createIdentity } from '../../src/secrets/identity.js';
import { diskReader, hostSecretsContext, setSecret } from '../../src/secrets/store.js';
import { ValidationError } from '../../src/util/errors.js';
import { execRunner, runChecked, type Command, type Runner } from '../../src/util/exec.js';
import { statePaths } from '../../src/util/state-dir.js';
import { testRepo, type TestRepo } from '../helpers/git.js';
import { pipEnv, writeWheels } from '../helpers/wheels.js';
import { privateIndex, type PrivateIndex } from './private-index.js';

// A bare token (no colon): gitfleet sends it as `__token__` with the token as password. `/`, `@`, `+` and `=` must be
// percent-encoded in user-info; neither form may leak.
const TOKEN = 'pypi-Pr1vate/T0ken@idx+=';
const LEAK = [/Pr1vate|T0ken/, encodeURIComponent(TOKEN), Buffer.from(`__token__:${TOKEN}`).toString('base64')];

let tmp: string;
let repo: TestRepo;
let index: PrivateIndex;
let state: string;
let recipient: string;
const logs: string[] = [];
const ran: Command[] = [];

const runner: Runner = { run: (cmd) => { ran.push(cmd); return execRunner.run(cmd); } };

function files(secretKey: string, pins: Record<string, string>): Record<string, string> {
  const packages = Object.keys(pins).length ? `packages:\n  pip:\n${Object.entries(pins).map(([k, v]) => `    ${k}: "${v}"`).join('\n')}\n` : '';
  return {
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrollout: {waves: [{name: canary}]}\n',
    'hosts/h1.yaml': `apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [py]\npolicies: [p]\nsandboxes: {py: {template: venv}}\nrecipient: ${recipient}\n`,
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'baselines/py.yaml': `apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\nsources:\n  pip:\n    indexUrl: "${index.url}"\n    credentials: {secret: ${secretKey}}\n${packages}`,
    'policies/p.yaml': 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\n',
  };
}

function options(over: Partial<HostRunOptions> = {}): HostRunOptions {
  const log = pino({ level: 'debug' }, { write: (s: string) => void logs.push(s) });
  return { host: 'h1', repo: repo.remote, stateDir: state, runner, log, env: { ...pipEnv(), PIP_FIND_LINKS: '' }, batchTimeoutMs: 120_000, ...over };
}

async function installed(): Promise<Record<string, string>> {
  const res = await runChecked(execRunner, { file: join(state, 'sandboxes/py/bin/python'), args: ['-m', 'pip', 'list', '--format=json'], env: pipEnv(), cleanEnv: true });
  return Object.fromEntries((JSON.parse(res.stdout) as { name: string; version: string }[]).filter((p) => !['pip', 'setuptools'].includes(p.name)).map((p) => [p.name, p.version]));
}

/** Everything a run leaves or says outside the store: state files, dist-info of installed packages, logs, argv, outcome, plan text. */
async function everythingOutsideTheStore(out?: HostApplyOutcome): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  for (const f of await readdir(state)) {
    const p = join(state, f);
    if ((await stat(p)).isFile() && f !== 'identity.age') seen[f] = await readFile(p, 'utf8');
  }
  const site = join(state, 'sandboxes/py/lib', (await readdir(join(state, 'sandboxes/py/lib')))[0]!, 'site-packages');
  for (const d of (await readdir(site)).filter((d) => /^(alpha|beta)-.*\.dist-info$/.test(d))) {
    for (const f of await readdir(join(site, d))) seen[`${d}/${f}`] = await readFile(join(site, d, f), 'utf8');
  }
  seen.logs = logs.join('');
  seen.argv = ran.map((c) => [c.file, ...c.args].join(' ')).join('\n');
  if (out) {
    seen.outcome = JSON.stringify({ result: out.result, recovered: out.recovered, secrets: out.secrets, plan: out.planned?.plan });
    if (out.planned) seen.planText = renderPlan(out.planned.plan);
  }
  return seen;
}

async function expectNoToken(out?: HostApplyOutcome): Promise<void> {
  for (const [where, text] of Object.entries(await everythingOutsideTheStore(out))) {
    const leaked = LEAK.some((l) => (typeof l === 'string' ? text.includes(l) : l.test(text)));
    expect({ where, leaked }).toEqual({ where, leaked: false });
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-apply-secret-creds-'));
  const wheels = join(tmp, 'wheels');
  await writeWheels(wheels, [{ name: 'alpha', version: '1.0.0' }, { name: 'alpha', version: '1.1.0' }, { name: 'beta', version: '2.0.0' }, { name: 'beta', version: '2.1.0' }]);
  index = await privateIndex(wheels, '__token__', TOKEN);
  repo = await testRepo(join(tmp, 'repo'));
  state = join(tmp, 'state');
  recipient = (await createIdentity({ path: statePaths(state).identity, runner: execRunner })).recipient;
}, 120_000);

afterAll(async () => {
  await index?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('index credentials from the host\'s secret store', () => {
  it('one revision brings the secret and the baseline that uses it: its first apply succeeds, `latest` included', async () => {
    const pins = files('PYPI_TOKEN', { alpha: '1.0.0', beta: 'latest' });
    // `gitfleet secret set`'s own code (the value encrypted to the host's recipient, in secrets/h1.yaml of the work
    // tree), then one commit with that and the baseline that names it: the store does not have the key yet.
    for (const f of ['fleet.yaml', 'hosts/h1.yaml']) {
      await mkdir(dirname(join(repo.work, f)), { recursive: true });
      await writeFile(join(repo.work, f), pins[f]!);
    }
    await setSecret(repo.work, await hostSecretsContext(diskReader(repo.work), 'h1'), 'PYPI_TOKEN', TOKEN, { now: new Date().toISOString(), by: 'test' });
    await repo.commit(pins, 'secret and the baseline that uses it');
    const stored = join(statePaths(state).secrets, 'PYPI_TOKEN');
    // A dry run (`gitfleet plan`) and a gated run see the revision's value, in memory, and write nothing.
    for (const opts of [{ dryRun: true }, { gate: () => false }]) {
      const held = await applyHost(options(), opts);
      expect(held.skipped).toBe('dryRun' in opts ? 'dry-run' : 'gated');
      expect(held.planned?.plan.warnings).toEqual([]);
      await expect(readFile(stored, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    }

    const out = await applyHost(options());
    expect(out.planned?.plan.warnings).toEqual([]);
    expect(out.planned?.plan.actions.map((a) => `${a.kind} ${a.name}${a.kind === 'create-sandbox' ? '' : ` ${a.to}`}`)).toEqual(['create-sandbox py', 'install alpha 1.0.0', 'install beta 2.1.0']);
    expect(out.result).toMatchObject({ status: 'applied' });
    expect(await installed()).toEqual({ alpha: '1.0.0', beta: '2.1.0' });
    expect(index.requests.length).toBeGreaterThan(0);
    expect(index.requests.filter((r) => !r.authorized)).toEqual([]);
    expect(index.requests.map((r) => r.url)).toEqual(expect.arrayContaining([
      '/simple/beta/', '/simple/alpha/', '/files/alpha-1.0.0-py3-none-any.whl', '/files/beta-2.1.0-py3-none-any.whl',
    ]));
    const install = ran.find((c) => c.args.includes('install'))!;
    expect(install.env?.PIP_INDEX_URL).toBe(index.url.replace('http://', `http://__token__:${encodeURIComponent(TOKEN)}@`));
    // In the store (0600) before the first batch ran, where a crash recovery reads it; audited once; reported.
    expect(await readFile(stored, 'utf8')).toBe(TOKEN);
    expect((await stat(stored)).mode & 0o777).toBe(0o600);
    const audit = (await readFile(statePaths(state).audit, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    const types = audit.map((e) => e.type);
    expect(audit.filter((e) => e.type === 'secret.materialized').map((e) => e.data)).toEqual([{ key: 'PYPI_TOKEN' }]);
    expect(types.indexOf('secret.materialized')).toBeLessThan(types.indexOf('batch.applied'));
    expect(out.secrets).toMatchObject({ written: ['PYPI_TOKEN'], created: ['PYPI_TOKEN'], errors: [] });
    // Announced once, after the apply succeeded (not when it was written before the batches).
    expect((await readFile(statePaths(state).events, 'utf8')).match(/infrastructure\.secret\.created.*PYPI_TOKEN/g)).toHaveLength(1);
    await expectNoToken(out);
  }, 120_000);

  it('a crashed apply: the journal keeps the reference only; recovery re-reads the store and rolls back through the index', async () => {
    await repo.commit(files('PYPI_TOKEN', { alpha: '1.1.0', beta: 'latest' }));
    // The process dies right after the batch is recorded as done: nothing after it runs, the journal stays.
    await expect(applyHost(options({ afterBatch: () => { throw new Error('crash'); } }))).rejects.toThrow('crash');
    const journal = JSON.parse(await readFile(statePaths(state).journal, 'utf8'));
    expect(journal).toMatchObject({ status: 'running', batches: [{ state: 'done', sources: { indexUrl: index.url, credentials: { secret: 'PYPI_TOKEN' } } }] });
    expect(await installed()).toEqual({ alpha: '1.1.0', beta: '2.1.0' });

    index.requests.length = 0;
    ran.length = 0;
    const out = await applyHost(options());
    expect(out.recovered).toBe('rolled-back');
    // The rollback put alpha 1.0.0 back: only the private index has it, and pip keeps no cache here.
    const rollbackInstall = ran.find((c) => c.args.at(-1) === 'alpha==1.0.0');
    expect(rollbackInstall?.env?.PIP_INDEX_URL).toMatch(/^http:\/\/__token__:.+@127\.0\.0\.1:/);
    expect(index.requests).toContainEqual({ url: '/files/alpha-1.0.0-py3-none-any.whl', authorized: true });
    expect(out.result?.status).toBe('applied');
    expect(await installed()).toEqual({ alpha: '1.1.0', beta: '2.1.0' });
    await expectNoToken(out);
  }, 180_000);

  it('a key that secrets/h1.yaml does not have: validation refuses the revision, nothing runs', async () => {
    index.requests.length = 0;
    ran.length = 0;
    await repo.commit(files('NOT_SET', { alpha: '1.0.0', beta: 'latest' }));
    const err = await applyHost(options()).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).diagnostics).toEqual([expect.objectContaining({ code: 'ref.secret', file: 'baselines/py.yaml', message: expect.stringContaining('secret "NOT_SET"') })]);
    expect(index.requests).toEqual([]);
    expect(ran.filter((c) => c.args.includes('install'))).toEqual([]);
    expect(await installed()).toEqual({ alpha: '1.1.0', beta: '2.1.0' });
  }, 120_000);

  it('a key that does not decrypt on this host: the plan warns, the batch fails naming the key, the store keeps its value', async () => {
    index.requests.length = 0;
    ran.length = 0;
    // A new value encrypted to another host's recipient only: set with `secret set`'s code against a host file that
    // names that recipient, then committed with h1's real recipient back in place.
    const other = await newIdentity();
    await writeFile(join(repo.work, 'hosts/h1.yaml'), files('PYPI_TOKEN', {})['hosts/h1.yaml']!.replace(recipient, other.recipient));
    await setSecret(repo.work, await hostSecretsContext(diskReader(repo.work), 'h1'), 'PYPI_TOKEN', 'rotated-elsewhere', { now: new Date().toISOString(), by: 'test' });
    await repo.commit(files('PYPI_TOKEN', { alpha: '1.0.0', beta: 'latest' }));
    const out = await applyHost(options());
    expect(out.planned?.plan.warnings).toContainEqual({
      target: 'sandbox:py', manager: 'pip', code: 'source.credentials',
      message: expect.stringMatching(/secret "PYPI_TOKEN" of secrets\/h1\.yaml, named by sources\.pip\.credentials of sandbox:py, could not be decrypted on this host: .*not encrypted to this host's identity/),
    });
    expect(out.result).toMatchObject({ status: 'rolled-back', error: { code: 'E_VALIDATION', stage: 'batch', message: expect.stringContaining('secret "PYPI_TOKEN" of secrets/h1.yaml') } });
    // No request went out without credentials (nor with the old ones), no pip ran, the store's value is untouched.
    expect(index.requests).toEqual([]);
    expect(ran.filter((c) => c.args.includes('install'))).toEqual([]);
    expect(await installed()).toEqual({ alpha: '1.1.0', beta: '2.1.0' });
    expect(await readFile(join(statePaths(state).secrets, 'PYPI_TOKEN'), 'utf8')).toBe(TOKEN);
    expect(await readFile(statePaths(state).events, 'utf8')).toMatch(/infrastructure\.update\.failed.*PYPI_TOKEN/);
    await expectNoToken(out);
  }, 120_000);

  // Both values reach the index as the same credential (`__token__` and the token), so the batches succeed; the health
  // check then fails and the apply is rolled back. The store must end as it was, and no event may say the secret is in effect.
  it.each([
    ['rotated', 'PYPI_TOKEN', `__token__:${TOKEN}`, TOKEN],
    ['created', 'IDX_TOKEN', TOKEN, undefined],
  ] as const)('an apply rolled back by a failed health check: a %s key goes back to what the store had, no event says it is in effect', async (_n, key, value, before) => {
    const stored = join(statePaths(state).secrets, key);
    expect(await readFile(stored, 'utf8').catch(() => undefined)).toBe(before);
    await setSecret(repo.work, await hostSecretsContext(diskReader(repo.work), 'h1'), key, value, { now: new Date().toISOString(), by: 'test' });
    const failing = { 'policies/p.yaml': 'apiVersion: gitfleet/v1\nkind: Policy\nname: p\nhealthChecks:\n  - {name: fails, command: [python, -c, "import sys; sys.exit(3)"], target: "sandbox:py", timeout: 20s}\n' };
    const revision = await repo.commit({ ...files(key, { alpha: '1.0.0', beta: 'latest' }), ...failing });
    const auditBefore = (await readFile(statePaths(state).audit, 'utf8')).trim().split('\n').length;
    index.requests.length = 0;

    const out = await applyHost(options());
    expect(out.result).toMatchObject({ status: 'rolled-back', error: { code: 'E_HEALTH' } });
    // The new value did its work (the batch and the rollback reached the index with it)...
    expect(index.requests.length).toBeGreaterThan(0);
    expect(index.requests.filter((r) => !r.authorized)).toEqual([]);
    expect(await installed()).toEqual({ alpha: '1.1.0', beta: '2.1.0' });
    // ...and the store is as before the apply: the old value back, or no file for a key it did not have.
    expect(await readFile(stored, 'utf8').catch(() => undefined)).toBe(before);
    const events = (await readFile(statePaths(state).events, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { topic: string; revision: string | null });
    const mine = events.filter((e) => e.revision === revision).map((e) => e.topic);
    expect(mine).toContain('infrastructure.update.rolled_back');
    expect(mine.filter((t) => t.startsWith('infrastructure.secret.'))).toEqual([]);
    const audit = (await readFile(statePaths(state).audit, 'utf8')).trim().split('\n').slice(auditBefore).map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    expect(audit.filter((e) => e.type.startsWith('secret.')).map((e) => [e.type, e.data])).toEqual([['secret.materialized', { key }], ['secret.restored', { key }]]);
    expect(out.secrets).toBeUndefined();
    await expectNoToken(out);
  }, 120_000);
});
