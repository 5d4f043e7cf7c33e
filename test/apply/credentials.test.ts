// A private pip index behind Basic auth: apply installs from it, rolls back through it, and its token never reaches
// a command line, the journal, the audit log, the events or the result.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan, type ApplyEnv } from '../../src/apply/apply.js';
import type { HostDeps } from '../../src/apply/context.js';
import { AuditLog } from '../../src/events/audit.js';
import { EventBus } from '../../src/events/bus.js';
import { ndjsonSink } from '../../src/events/sinks/ndjson.js';
import type { HealthCheck } from '../../src/fleet/model.generated.js';
import { effectivePolicy } from '../../src/fleet/policy-merge.js';
import type { DesiredHost, DesiredSandbox } from '../../src/fleet/resolve.js';
import { loadManagers } from '../../src/managers/load.js';
import type { Action, Inventory, Plan } from '../../src/plan/types.js';
import { loadDrivers } from '../../src/sandboxes/load.js';
import { execRunner, runChecked, type Command, type Runner } from '../../src/util/exec.js';
import { makeVenv, pipEnv, writeWheels } from '../helpers/wheels.js';
import { privateIndex, type PrivateIndex } from './private-index.js';

// Characters that user-info must percent-encode: pip decodes them before sending, and neither form may leak.
const TOKEN = 'pypi-Pr1vate/T0ken@idx';
const TOKEN_IN_URL = encodeURIComponent(TOKEN);
const SECRET = /Pr1vate|T0ken/;

let tmp: string;
let index: PrivateIndex;
let indexUrl: string;
let venv: string;
let requests: PrivateIndex['requests'];
/** Every command run, with the journal on disk at that moment. */
const ran: { cmd: Command; journal: string }[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-apply-creds-'));
  const wheels = join(tmp, 'wheels');
  await writeWheels(wheels, [{ name: 'alpha', version: '1.0.0' }, { name: 'alpha', version: '1.1.0' }, { name: 'beta', version: '2.0.0' }]);
  index = await privateIndex(wheels, '__token__', TOKEN);
  requests = index.requests;
  indexUrl = index.url.replace('http://', `http://__token__:${TOKEN_IN_URL}@`);
  venv = await makeVenv(join(tmp, 'venv'), true);
}, 120_000);

afterAll(async () => {
  await index?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const sandbox: () => DesiredSandbox = () => ({ name: 'py', template: 'venv', type: 'venv', path: venv, env: {}, secrets: [] });

function desired(healthChecks: HealthCheck[] = []): DesiredHost {
  return {
    name: 'h1', os: 'linux', arch: 'x64', labels: {}, capabilities: [], agent: { interval: '30s', driftInterval: '5m' },
    baselines: [], policies: [], policy: { ...effectivePolicy([]), healthChecks }, sandboxes: [sandbox()],
    // The schema keeps credentials out of the fleet's files; this is the form they take once resolved on the host.
    targets: [{ target: 'sandbox:py', packages: [], sources: { pip: { indexUrl } } }],
  };
}

const action = (kind: Action['kind'], name: string, to: string, from?: string): Action =>
  ({ kind, target: 'sandbox:py', manager: 'pip', name, to, ...(from ? { from } : {}), reason: 'changed', risk: 'minor' });

/** Runs one apply with a real runner that also keeps each command and the journal as it was on disk then. */
async function apply(actions: Action[], inventory: Inventory, healthChecks: HealthCheck[] = []) {
  const state = await mkdtemp(join(tmp, 'state-'));
  const paths = { journal: join(state, 'journal.json'), inventory: join(state, 'inventory.json'), audit: join(state, 'audit.jsonl'), events: join(state, 'events.ndjson') };
  const runner: Runner = {
    async run(cmd) {
      ran.push({ cmd, journal: await readFile(paths.journal, 'utf8').catch(() => '') });
      return execRunner.run(cmd);
    },
  };
  const deps: HostDeps = {
    runner, manager: await loadManagers(['pip']), driver: await loadDrivers(['venv']), fleetDir: tmp,
    env: { ...pipEnv(), PIP_FIND_LINKS: '' }, batchTimeoutMs: 120_000,
  };
  const log = pino({ level: 'silent' });
  const audit = await AuditLog.open(paths.audit);
  const bus = new EventBus({ host: 'h1', sinks: [ndjsonSink({ path: paths.events, log })], log });
  const plan: Plan = { host: 'h1', revision: 'r1', actions, warnings: [], unchanged: 0 };
  const env: ApplyEnv = { deps, paths, bus, audit, inventory, now: () => new Date() };
  const result = await applyPlan(desired(healthChecks), plan, env);
  await bus.close();
  await audit.close();
  const recorded = {
    result: JSON.stringify(result),
    audit: await readFile(paths.audit, 'utf8'),
    events: await readFile(paths.events, 'utf8').catch(() => ''),
    journal: await readFile(paths.journal, 'utf8').catch(() => ''),
    inventory: await readFile(paths.inventory, 'utf8').catch(() => ''),
  };
  return { result, recorded };
}

async function installed(): Promise<Record<string, string>> {
  const res = await runChecked(execRunner, { file: join(venv, 'bin/python'), args: ['-m', 'pip', 'list', '--format=json'], env: pipEnv(), cleanEnv: true });
  return Object.fromEntries((JSON.parse(res.stdout) as { name: string; version: string }[]).filter((p) => !['pip', 'setuptools'].includes(p.name)).map((p) => [p.name, p.version]));
}

function expectNoSecret(recorded: Record<string, string>): void {
  for (const [where, text] of Object.entries(recorded)) expect({ where, leaked: SECRET.test(text) || text.includes(TOKEN_IN_URL) }).toEqual({ where, leaked: false });
  for (const { cmd, journal } of ran) {
    expect(cmd.args.join(' ')).not.toMatch(SECRET);
    expect(journal).not.toMatch(SECRET);
    expect(journal).not.toContain(TOKEN_IN_URL);
  }
}

describe('apply from a pip index that wants credentials', () => {
  it('the index really refuses a request without them', async () => {
    const res = await fetch(new URL('alpha/', indexUrl.replace(`__token__:${TOKEN_IN_URL}@`, '')));
    expect(res.status).toBe(401);
  });

  it('installs through it; the token travels only in pip\'s environment', async () => {
    ran.length = 0;
    requests.length = 0;
    const { result, recorded } = await apply([action('install', 'alpha', '1.0.0')], { packages: {}, sandboxes: {} });
    expect(result).toMatchObject({ status: 'applied' });
    expect(await installed()).toEqual({ alpha: '1.0.0' });
    expect(requests.filter((r) => r.authorized).map((r) => r.url)).toEqual(expect.arrayContaining(['/simple/alpha/', '/files/alpha-1.0.0-py3-none-any.whl']));
    const install = ran.find((r) => r.cmd.args.includes('install'))!;
    expect(install.cmd.env?.PIP_INDEX_URL).toBe(indexUrl);
    // The journal written before the batch names the index, without the credentials.
    expect(JSON.parse(install.journal).batches[0].sources).toEqual({ indexUrl: indexUrl.replace(`__token__:${TOKEN_IN_URL}@`, '') });
    expectNoSecret(recorded);
  }, 120_000);

  it('a failed health check rolls back through the same index (the run keeps the credentials in memory)', async () => {
    ran.length = 0;
    const before = { packages: { 'sandbox:py': { pip: { alpha: '1.0.0' } } }, sandboxes: {} };
    const { result, recorded } = await apply([action('upgrade', 'alpha', '1.1.0', '1.0.0')], before, [{ name: 'fails', command: ['python', '-c', 'raise SystemExit(3)'], target: 'sandbox:py' }]);
    expect(result).toMatchObject({ status: 'rolled-back', error: { code: 'E_HEALTH' } });
    expect(await installed()).toEqual({ alpha: '1.0.0' });
    expect(ran.filter((r) => r.cmd.args.includes('install')).map((r) => r.cmd.args.at(-1))).toEqual(['alpha==1.1.0', 'alpha==1.0.0']);
    expectNoSecret(recorded);
  }, 120_000);

  it('a batch that fails: the error names the command and pip\'s words, never the token', async () => {
    ran.length = 0;
    const before = { packages: { 'sandbox:py': { pip: { alpha: '1.0.0' } } }, sandboxes: {} };
    const { result, recorded } = await apply([action('install', 'beta', '9.9.9')], before);
    expect(result).toMatchObject({ status: 'rolled-back', error: { code: 'E_COMMAND_FAILED', stage: 'batch', message: expect.stringMatching(/pip install .*beta==9\.9\.9 exited with 1: .*beta==9\.9\.9/s) } });
    expect(recorded.events).toMatch(/infrastructure\.update\.failed/);
    expect(await installed()).toEqual({ alpha: '1.0.0' });
    expectNoSecret(recorded);
  }, 120_000);
});
