// The whole host path with a private pip index whose credentials a baseline names by secret key: the secret is set
// with `secret set`'s code, materialized into the host's store by an apply, and read from there (in memory only) for
// version look-ups, installs, the rollback of a crashed apply; a key the store lacks is a clear, value-free failure.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyHost, type HostApplyOutcome, type HostRunOptions } from '../../src/apply/run.js';
import { renderPlan } from '../../src/plan/render.js';
import { createIdentity } from '../../src/secrets/identity.js';
import { diskReader, hostSecretsContext, setSecret } from '../../src/secrets/store.js';
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
  it('a revision that brings the secret (nothing needs it yet) is applied, and the host materializes it', async () => {
    await repo.commit(files('PYPI_TOKEN', {}));
    // `gitfleet secret set`'s own code: the value encrypted to the host's recipient, in secrets/h1.yaml of the work tree.
    await setSecret(repo.work, await hostSecretsContext(diskReader(repo.work), 'h1'), 'PYPI_TOKEN', TOKEN, { now: new Date().toISOString(), by: 'test' });
    await repo.commit({}, 'secret');
    const out = await applyHost(options());
    expect(out.result?.status).toBe('applied');
    expect(out.secrets?.written).toEqual(['PYPI_TOKEN']);
    expect(await readFile(join(statePaths(state).secrets, 'PYPI_TOKEN'), 'utf8')).toBe(TOKEN);
  }, 120_000);

  it('`latest` is looked up and the packages installed through the index with the store\'s token; it is nowhere else', async () => {
    index.requests.length = 0;
    ran.length = 0;
    await repo.commit(files('PYPI_TOKEN', { alpha: '1.0.0', beta: 'latest' }));
    const out = await applyHost(options());
    expect(out.planned?.plan.warnings).toEqual([]);
    expect(out.planned?.plan.actions.map((a) => `${a.name} ${a.to}`)).toEqual(['alpha 1.0.0', 'beta 2.1.0']);
    expect(out.result).toMatchObject({ status: 'applied' });
    expect(await installed()).toEqual({ alpha: '1.0.0', beta: '2.1.0' });
    expect(index.requests.filter((r) => r.authorized).map((r) => r.url)).toEqual(expect.arrayContaining([
      '/simple/beta/', '/simple/alpha/', '/files/alpha-1.0.0-py3-none-any.whl', '/files/beta-2.1.0-py3-none-any.whl',
    ]));
    const install = ran.find((c) => c.args.includes('install'))!;
    expect(install.env?.PIP_INDEX_URL).toBe(index.url.replace('http://', `http://__token__:${encodeURIComponent(TOKEN)}@`));
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

  it('a key the store does not have: the plan warns, the batch fails naming the key and the index, nothing is changed', async () => {
    index.requests.length = 0;
    ran.length = 0;
    await repo.commit(files('NOT_MATERIALIZED', { alpha: '1.0.0', beta: 'latest' }));
    const out = await applyHost(options());
    expect(out.planned?.plan.warnings).toContainEqual({
      target: 'sandbox:py', manager: 'pip', code: 'source.credentials',
      message: expect.stringContaining(`pip index ${index.url} (sandbox:py, sources.pip.credentials) needs secret "NOT_MATERIALIZED", which this host's secret store does not have`),
    });
    expect(renderPlan(out.planned!.plan)).toContain('needs secret "NOT_MATERIALIZED"');
    expect(out.result).toMatchObject({ status: 'rolled-back', error: { code: 'E_NOT_FOUND', stage: 'batch', message: expect.stringContaining('needs secret "NOT_MATERIALIZED"') } });
    // No request went out without credentials, and no pip ran for the failed batch.
    expect(index.requests).toEqual([]);
    expect(ran.filter((c) => c.args.includes('install'))).toEqual([]);
    expect(await installed()).toEqual({ alpha: '1.1.0', beta: '2.1.0' });
    const events = await readFile(statePaths(state).events, 'utf8');
    expect(events).toMatch(/infrastructure\.update\.failed.*NOT_MATERIALIZED/);
    await expectNoToken(out);
  }, 120_000);
});
