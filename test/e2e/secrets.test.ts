// Multi-process, end to end (issue 7): a bare repo and two hosts, each a real `node bin/gitfleet.js agent --once`
// process with its own state dir and its own `host keygen` identity. Each gets only its own secrets; rotation by the
// git provider: a PR branch, not applied until merged, then the new value is in the store and the old one gone; a
// tampered ciphertext is refused and reported (status degraded, SecretsFailed, exit 1) while the rest applies.
// Finally every log line, output, event, status, audit line, state file and the whole git history are scanned.
// Run `npm run build` first: the processes run dist/.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostStatus } from '../../src/report/types.js';
import { testRepo, git, type TestRepo } from '../helpers/git.js';
import { tamperedSecretsFile, tempDir } from '../secrets/helpers.js';
import { spawnCli, type CliRun } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const ENV_FILE = '.gitfleet.env';
const tag = randomBytes(4).toString('hex');
const V = {
  h1db: `h1-db-ONE-${tag}`, h1tok: `h1-tok-${tag}`, h1db2: `h1-db-TWO-${tag}`,
  h2db: `h2-db-${tag}`, h2tok: `h2-tok-${tag}`, h2tok2: `h2-tok-NEW-${tag}`, h2old: `h2-old-${tag}`,
};

/** Everything a process printed, for the scan. */
const captured: [string, string][] = [];

/** `node bin/gitfleet.js ARGS` as its own process; `input` (a secret value) goes on stdin, never in argv. */
async function gitfleet(args: string[], o: { cwd: string; input?: string; label: string }): Promise<CliRun> {
  const r = await spawnCli(args, {
    cwd: o.cwd, input: o.input, timeoutMs: 60_000,
    env: { GITFLEET_LOG_LEVEL: 'trace', USER: 'e2e', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
  captured.push([`${o.label} stdout`, r.out], [`${o.label} stderr`, r.err]);
  return r;
}

let tmp: string;
let repo: TestRepo;
const state = (h: string) => join(tmp, `state-${h}`);
const agent = (h: string, label: string) => gitfleet(['agent', '--once', '--no-http', '--repo', repo.remote, '--host', h, '--state-dir', state(h)], { cwd: tmp, label: `agent ${h} ${label}` });
const setSecret = async (h: string, key: string, value: string) => {
  const r = await gitfleet(['secret', 'set', '--host', h, key], { cwd: repo.work, input: value, label: `secret set ${h} ${key}` });
  expect(r, r.err).toMatchObject({ code: 0 });
};

async function store(h: string): Promise<Record<string, string>> {
  const d = join(state(h), 'secrets');
  return Object.fromEntries(await Promise.all((await readdir(d)).sort().map(async (f) => [f, await readFile(join(d, f), 'utf8')])));
}

async function statusOf(h: string): Promise<HostStatus> {
  return JSON.parse(await readFile(join(state(h), 'status.json'), 'utf8')) as HostStatus;
}

async function filesUnder(dir: string, skip: (rel: string) => boolean): Promise<[string, string][]> {
  const out: [string, string][] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (skip(relative(dir, p))) continue;
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push([relative(dir, p), (await readFile(p)).toString('latin1')]);
    }
  };
  await walk(dir);
  return out;
}

beforeAll(async () => {
  const built = await readFile(join(ROOT, 'dist/agent/reconcile.js'), 'utf8').catch(() => '');
  if (!built.includes('SecretsFailed')) throw new Error('dist/ is missing or stale: run `npm run build` before the e2e tests');
  tmp = await tempDir('gitfleet-e2e-secrets-');
  repo = await testRepo(join(tmp, 'repo'));
});

describe('secrets across two agent processes', () => {
  it('own secrets only; rotation by a git-provider PR; a tampered value refused and reported; no value leaks', async () => {
    await repo.commit({
      'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nprovider: {git: {}}\n',
      'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nsandboxes: {app: {template: node}}\n',
      'hosts/h2.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h2\nos: linux\narch: x64\n',
      'sandboxes/node.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: node\ntype: {linux: node}\npath: {linux: "{state}/sandboxes/{name}"}\nsecrets: [DB_PASSWORD, API_TOKEN]\n',
    }, 'fleet');
    // Each host makes its own identity; the recipient goes into its host document.
    for (const h of ['h1', 'h2']) {
      const k = await gitfleet(['host', 'keygen', '--state-dir', state(h), '--repo', repo.work, '--host', h], { cwd: tmp, label: `keygen ${h}` });
      expect(k, k.err).toMatchObject({ code: 0 });
      expect((await stat(join(state(h), 'identity.age'))).mode & 0o777).toBe(0o600);
    }
    await setSecret('h1', 'DB_PASSWORD', V.h1db);
    await setSecret('h1', 'API_TOKEN', V.h1tok);
    await setSecret('h2', 'DB_PASSWORD', V.h2db);
    await setSecret('h2', 'API_TOKEN', V.h2tok);
    await setSecret('h2', 'OLD_KEY', V.h2old);
    await repo.commit({}, 'host keys and secrets');

    // 1. Both agents: each store holds exactly its own host's secrets.
    const [a1, a2] = await Promise.all([agent('h1', 'first'), agent('h2', 'first')]);
    expect(a1, a1.err).toMatchObject({ code: 0, out: expect.stringMatching(/^h1: healthy at [0-9a-f]{12}/) });
    expect(a2, a2.err).toMatchObject({ code: 0, out: expect.stringMatching(/^h2: healthy at [0-9a-f]{12}/) });
    expect(await store('h1')).toEqual({ API_TOKEN: V.h1tok, DB_PASSWORD: V.h1db });
    expect(await store('h2')).toEqual({ API_TOKEN: V.h2tok, DB_PASSWORD: V.h2db, OLD_KEY: V.h2old });
    const envFile = join(state('h1'), 'sandboxes', 'app', ENV_FILE);
    expect(await readFile(envFile, 'utf8')).toContain(`DB_PASSWORD=${V.h1db}\nAPI_TOKEN=${V.h1tok}\n`);
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    // h2 never decrypted h1's file: its audit names only its own keys.
    const h2audit = await readFile(join(state('h2'), 'audit.jsonl'), 'utf8');
    expect(h2audit).toContain('"secret.materialized"');
    expect(h2audit).not.toMatch(/secret\.(failed|no-identity)/);

    // 2. Rotation through the git provider: a branch; nothing changes on the host until it is merged.
    const rot = await gitfleet(['secret', 'rotate', '--host', 'h1', 'DB_PASSWORD', '--provider', 'git'], { cwd: repo.work, input: V.h1db2, label: 'rotate' });
    expect(rot, rot.err).toMatchObject({ code: 0, out: expect.stringMatching(/^opened proposal gitfleet\/secret-h1-DB_PASSWORD/) });
    const branch = 'gitfleet/secret-h1-DB_PASSWORD';
    captured.push(['rotation commit', await git(repo.remote, ['log', '-1', '--format=%B', branch])]);
    expect(await git(repo.remote, ['diff', '--name-only', 'main', branch])).toBe('secrets/h1.yaml');
    expect((await agent('h1', 'before merge')).code).toBe(0);
    expect((await store('h1')).DB_PASSWORD).toBe(V.h1db);
    await git(repo.work, ['fetch', '-q', 'origin']);
    await git(repo.work, ['merge', '-q', '--no-ff', '-m', 'merge the rotation', `origin/${branch}`]);
    await git(repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    const merged = await agent('h1', 'after merge');
    expect(merged, merged.err).toMatchObject({ code: 0, out: expect.stringMatching(/^h1: healthy/) });
    expect(await store('h1')).toEqual({ API_TOKEN: V.h1tok, DB_PASSWORD: V.h1db2 });
    const env2 = await readFile(envFile, 'utf8');
    expect(env2).toContain(`DB_PASSWORD=${V.h1db2}\n`);
    expect(env2).not.toContain(V.h1db);
    expect(await readFile(join(state('h1'), 'audit.jsonl'), 'utf8')).toMatch(/"secret\.materialized","data":\{"key":"DB_PASSWORD"\}/);

    // 3. h2: DB_PASSWORD tampered, API_TOKEN changed, OLD_KEY removed — in one revision.
    const h2file = join(repo.work, 'secrets/h2.yaml');
    const tampered = tamperedSecretsFile(await readFile(h2file, 'utf8'), 'DB_PASSWORD');
    await repo.commit({ 'secrets/h2.yaml': tampered }, 'tamper');
    await setSecret('h2', 'API_TOKEN', V.h2tok2);
    const { parseDocument } = await import('yaml');
    const doc = parseDocument(await readFile(h2file, 'utf8'));
    doc.deleteIn(['secrets', 'OLD_KEY']);
    const head = await repo.commit({ 'secrets/h2.yaml': doc.toString() }, 'rotate API_TOKEN, drop OLD_KEY');
    const [b1, b2] = await Promise.all([agent('h1', 'tamper'), agent('h2', 'tamper')]);
    expect(b1, b1.err).toMatchObject({ code: 0, out: expect.stringMatching(/^h1: healthy/) });
    expect(b2.code).toBe(1);
    expect(b2.out).toMatch(new RegExp(`^h2: degraded at ${head.slice(0, 12)} — SecretsFailed: 1 secret\\(s\\) failed: DB_PASSWORD \\(secret\\.tampered\\); the packages were applied`));
    // Refused and reported; the rest applied; nothing half-written: the old value stays.
    expect(await store('h2')).toEqual({ API_TOKEN: V.h2tok2, DB_PASSWORD: V.h2db });
    const s2 = await statusOf('h2');
    expect(s2).toMatchObject({ health: 'degraded', lastError: { code: 'SecretsFailed' }, revision: { applied: head } });
    expect(s2.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'SecretsFailed' });
    expect(s2.conditions.find((c) => c.type === 'Applied')).toMatchObject({ status: 'True' });
    const audit2 = await readFile(join(state('h2'), 'audit.jsonl'), 'utf8');
    expect(audit2).toContain('"type":"secret.failed","data":{"key":"DB_PASSWORD","code":"secret.tampered"}');
    expect(audit2).toContain('"type":"secret.removed","data":{"key":"OLD_KEY"}');
    expect(b2.err).toMatch(/secret\.tampered/);
    // The status published to the fleet repository says so too.
    const published = JSON.parse(await git(repo.remote, ['show', 'refs/gitfleet/status/h2:status.json'])) as HostStatus;
    expect(published).toMatchObject({ health: 'degraded', lastError: { code: 'SecretsFailed' } });

    // 4. The scan. The store (secrets/, identity, sandbox env files) is the only place a value may be.
    const isStore = (rel: string) => rel === 'secrets' || rel === 'identity.age' || rel.endsWith(ENV_FILE);
    const haystacks: [string, string][] = [...captured];
    for (const h of ['h1', 'h2']) for (const [f, text] of await filesUnder(state(h), isStore)) haystacks.push([`${h} state ${f}`, text]);
    for (const [f, text] of await filesUnder(repo.work, (rel) => rel.startsWith('.git/objects'))) haystacks.push([`work tree ${f}`, text]);
    // The whole history of the fleet repository, status refs included, as text.
    haystacks.push(['git history', await git(repo.remote, ['log', '--all', '-p', '--format=%H%n%B'])]);
    const names = haystacks.map(([n]) => n);
    for (const must of ['events.ndjson', 'status.json', 'audit.jsonl']) for (const h of ['h1', 'h2']) expect(names).toContain(`${h} state ${must}`);
    // The processes' JSON log lines (trace level) are in, the tamper error and the status changes among them.
    const logLines = haystacks.filter(([n]) => n.endsWith('stderr')).flatMap(([, t]) => t.split('\n').filter(Boolean));
    expect(logLines.length).toBeGreaterThanOrEqual(12);
    expect(logLines.some((l) => l.includes('"to":"degraded"'))).toBe(true);
    const leaks = haystacks.filter(([, text]) => Object.values(V).some((v) => text.includes(v))).map(([n]) => n);
    expect(leaks).toEqual([]);
  }, 120_000);
});
