// End to end with a bare repo and two hosts: set → commit → apply → rotate (git provider PR) → merge → apply,
// a tampered value refused; then every log line, event, audit line, state file, plan, PR text and process
// argument is scanned for the secret values.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parse } from 'yaml';
import { applyHost, type HostRunOptions } from '../../src/apply/run.js';
import { renderPlan } from '../../src/plan/render.js';
import { execRunner, type Command, type Runner } from '../../src/util/exec.js';
import { statePaths } from '../../src/util/state-dir.js';
import { REDACT_PATHS } from '../../src/util/log.js';
import { diskReader, hostSecretsContext, setSecret } from '../../src/secrets/store.js';
import { proposeRotation } from '../../src/secrets/propose.js';
import { actor, gitProposalSetup } from '../../src/secrets/provider-setup.js';
import { ENV_FILE } from '../../src/secrets/materialize.js';
import { newIdentity } from '../../src/secrets/age.js';
import { testRepo, git } from '../helpers/git.js';
import { runCli } from '../helpers/cli.js';
import { tamperPayload, tempDir } from './helpers.js';

const tag = randomBytes(4).toString('hex');
const V = { db1: `db-pass-ONE-${tag}`, tok1: `api-token-${tag}`, db2: `db-pass-TWO-${tag}`, h2db: `h2-pass-${tag}`, h2tok: `h2-tok-${tag}` };

/** A runner that records every command it starts. */
function recording(): { runner: Runner; commands: Command[] } {
  const commands: Command[] = [];
  return { commands, runner: { run(cmd) { commands.push(cmd); return execRunner.run(cmd); } } };
}

async function filesUnder(dir: string, skip: (rel: string) => boolean): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (skip(relative(dir, p))) continue;
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out[relative(dir, p)] = (await readFile(p)).toString('latin1');
    }
  };
  await walk(dir);
  return out;
}

describe('secrets end to end', () => {
  it('each host gets only its own secrets; rotation by PR; tampering refused; no value anywhere else', async () => {
    const dir = await tempDir('gitfleet-secrets-e2e-');
    const repo = await testRepo(join(dir, 'repo'));
    const rec = recording();
    const logLines: string[] = [];
    const logStream = new PassThrough();
    logStream.on('data', (c: Buffer) => logLines.push(...c.toString().split('\n').filter(Boolean)));
    const log = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, logStream);
    const admin = await newIdentity();
    await repo.commit({
      'fleet.yaml': `apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrecipients: [${admin.recipient}]\n`,
      'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nsandboxes: {app: {template: node}}\n',
      'hosts/h2.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h2\nos: linux\narch: x64\n',
      'sandboxes/node.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: node\ntype: {linux: node}\npath: {linux: "{state}/sandboxes/{name}"}\nsecrets: [DB_PASSWORD, API_TOKEN]\n',
    }, 'fleet');
    const state = { h1: join(dir, 'state-h1'), h2: join(dir, 'state-h2') };
    // host keygen on each host writes its recipient into the work tree
    const cliOut: string[] = [];
    for (const h of ['h1', 'h2'] as const) {
      const r = await runCli(['host', 'keygen', '--state-dir', state[h], '--repo', repo.work, '--host', h], { env: {}, cwd: dir });
      cliOut.push(r.out, r.err);
      expect(r.code).toBe(0);
    }
    const by = await actor(rec.runner, repo.work, { USER: 'e2e' });
    const set = async (host: string, key: string, value: string) =>
      setSecret(repo.work, await hostSecretsContext(diskReader(repo.work), host), key, value, { now: new Date().toISOString(), by });
    await set('h1', 'DB_PASSWORD', V.db1);
    await set('h1', 'API_TOKEN', V.tok1);
    await set('h2', 'DB_PASSWORD', V.h2db);
    await set('h2', 'API_TOKEN', V.h2tok);
    await repo.commit({}, 'secrets');

    const opts = (h: 'h1' | 'h2'): HostRunOptions => ({ host: h, repo: repo.remote, stateDir: state[h], runner: rec.runner, log: log.child({ host: h }) });
    const plans: string[] = [];
    const apply = async (h: 'h1' | 'h2') => {
      const out = await applyHost(opts(h));
      if (out.planned) plans.push(renderPlan(out.planned.plan, { color: false }), JSON.stringify(out.planned.plan), JSON.stringify(out.result));
      plans.push(JSON.stringify(out.secrets));
      return out;
    };
    const store = async (h: 'h1' | 'h2') => {
      const d = statePaths(state[h]).secrets;
      return Object.fromEntries(await Promise.all((await readdir(d)).sort().map(async (f) => [f, await readFile(join(d, f), 'utf8')])));
    };

    const a1 = await apply('h1');
    expect(a1.result?.status).toBe('applied');
    expect(a1.secrets).toMatchObject({ written: ['DB_PASSWORD', 'API_TOKEN'], errors: [] });
    // The host's events say what is in effect there: first values are created, not rotated.
    const secretEvents = async () => (await readFile(statePaths(state.h1).events, 'utf8')).split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { topic: string; payload: { key?: string } }).filter((e) => e.topic.startsWith('infrastructure.secret.')).map((e) => `${e.topic} ${e.payload.key}`);
    expect(await secretEvents()).toEqual(['infrastructure.secret.created DB_PASSWORD', 'infrastructure.secret.created API_TOKEN']);
    expect(await store('h1')).toEqual({ API_TOKEN: V.tok1, DB_PASSWORD: V.db1 });
    const envPath = join(state.h1, 'sandboxes', 'app', ENV_FILE);
    expect(await readFile(envPath, 'utf8')).toContain(`DB_PASSWORD=${V.db1}\nAPI_TOKEN=${V.tok1}\n`);
    expect((await stat(envPath)).mode & 0o777).toBe(0o600);
    expect((await apply('h2')).secrets?.errors).toEqual([]);
    expect(await store('h2')).toEqual({ API_TOKEN: V.h2tok, DB_PASSWORD: V.h2db });

    // rotate through the git provider, then merge the branch with plain git
    const setup = await gitProposalSetup({ runner: rec.runner, repoDir: repo.work });
    const prop = await proposeRotation({ ...setup, host: 'h1', key: 'DB_PASSWORD', value: V.db2, by, now: new Date() });
    expect(prop.created).toBe(true);
    const branch = prop.pr.branch;
    expect(branch).toBe('gitfleet/secret-h1-DB_PASSWORD');
    const prText = [await git(repo.remote, ['log', '-1', '--format=%B', branch]), JSON.stringify(prop)];
    await git(repo.work, ['pull', '-q', 'origin', 'main']);
    await git(repo.work, ['fetch', '-q', 'origin']);
    await git(repo.work, ['merge', '-q', '--no-ff', '-m', 'merge rotation', `origin/${branch}`]);
    await git(repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    // An open rotation PR is not a rotation: nothing was reported on the host until the merge is applied.
    expect(await secretEvents()).toHaveLength(2);
    const a2 = await apply('h1');
    expect(a2.secrets).toMatchObject({ written: ['DB_PASSWORD'], removed: [], errors: [] });
    expect((await secretEvents()).slice(2)).toEqual(['infrastructure.secret.rotated DB_PASSWORD']);
    expect(await store('h1')).toEqual({ API_TOKEN: V.tok1, DB_PASSWORD: V.db2 });
    expect(await readFile(envPath, 'utf8')).not.toContain(V.db1);
    expect(await readFile(envPath, 'utf8')).toContain(`DB_PASSWORD=${V.db2}\n`);

    // a tampered ciphertext for h2 is refused and reported; its other key still applies
    const h2file = join(repo.work, 'secrets/h2.yaml');
    const h2doc = parse(await readFile(h2file, 'utf8')) as { secrets: Record<string, { value: string }> };
    const tampered = (await readFile(h2file, 'utf8')).replace(h2doc.secrets.DB_PASSWORD!.value.trimEnd().split('\n').slice(-2, -1)[0]!, tamperPayload(h2doc.secrets.DB_PASSWORD!.value).trimEnd().split('\n').slice(-2, -1)[0]!);
    expect(tampered).not.toBe(await readFile(h2file, 'utf8'));
    await repo.commit({ 'secrets/h2.yaml': tampered }, 'tamper');
    await set('h2', 'API_TOKEN', `${V.h2tok}-new`);
    await repo.commit({}, 'new token');
    const b2 = await apply('h2');
    expect(b2.secrets?.errors.map((e) => [e.key, e.code])).toEqual([['DB_PASSWORD', 'secret.tampered']]);
    expect(b2.secrets?.written).toEqual(['API_TOKEN']);
    expect(await store('h2')).toEqual({ API_TOKEN: `${V.h2tok}-new`, DB_PASSWORD: V.h2db });
    const audit2 = await readFile(statePaths(state.h2).audit, 'utf8');
    expect(audit2).toContain('"type":"secret.failed"');
    expect(audit2).toContain('"type":"secret.materialized","data":{"key":"API_TOKEN"}');
    expect(logLines.some((l) => l.includes('secret.tampered'))).toBe(true);

    // Redaction: a value passed in an object under the usual names never reaches a log line.
    log.info({ value: V.db1, secret: V.db1, nested: { value: V.db1, secret: V.db1 } }, 'redaction probe');

    // The scan. The store (secrets/, identity, the env file) is the only place a value may be.
    const isStore = (rel: string) => rel === 'secrets' || rel === 'identity.age' || rel.endsWith(ENV_FILE);
    const haystacks: [string, string][] = [
      ...logLines.map((l, i) => [`log line ${i}`, l] as [string, string]),
      ...plans.map((p, i) => [`plan/result ${i}`, p] as [string, string]),
      ...prText.map((p, i) => [`PR text ${i}`, p] as [string, string]),
      ...cliOut.map((p, i) => [`cli output ${i}`, p] as [string, string]),
      ...rec.commands.map((c, i) => [`command ${i}: ${c.file}`, JSON.stringify({ args: c.args, env: c.env, input: c.input })] as [string, string]),
    ];
    for (const h of ['h1', 'h2'] as const) {
      for (const [f, text] of Object.entries(await filesUnder(state[h], isStore))) haystacks.push([`${h} state ${f}`, text]);
    }
    for (const [f, text] of Object.entries(await filesUnder(repo.work, (rel) => rel.startsWith('.git/objects')))) haystacks.push([`work tree ${f}`, text]);
    const names = new Set(haystacks.map(([n]) => n.replace(/ \d+.*$/, '')));
    expect([...names]).toEqual(expect.arrayContaining(['log line', 'plan/result', 'PR text', 'command']));
    expect(haystacks.some(([n]) => n.endsWith('events.ndjson'))).toBe(true);
    expect(haystacks.some(([n]) => n.endsWith('audit.jsonl'))).toBe(true);
    expect(rec.commands.length).toBeGreaterThan(20);
    const leaks = haystacks.filter(([, text]) => Object.values(V).some((v) => text.includes(v))).map(([n]) => n);
    if (leaks.length) console.log(haystacks.filter(([n]) => leaks.includes(n)).map(([n, t]) => `${n}: ${t.slice(0, 600)}`).join("\n"));
    expect(leaks).toEqual([]);
  }, 60_000);
});
