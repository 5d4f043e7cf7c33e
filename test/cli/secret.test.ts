// `gitfleet secret set|list|rotate|rekey` with real git repositories and the real git provider.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { secretCommand } from '../../src/cli/secret.js';
import { newIdentity, ValueDecrypter } from '../../src/secrets/age.js';
import { createIdentity, readIdentity } from '../../src/secrets/identity.js';
import { execRunner } from '../../src/util/exec.js';
import { testRepo, git } from '../helpers/git.js';
import { startFakeGitHub } from '../helpers/fake-github.js';
import { runCli, runCommand } from '../helpers/cli.js';
import { tempDir } from '../secrets/helpers.js';

function run(argv: string[], cwd: string, input = '', env: NodeJS.ProcessEnv = {}) {
  return runCommand(secretCommand, argv, { cwd, env: { USER: 'tester', ...env }, input, logLevel: 'trace' });
}

async function fleetRepo() {
  const dir = await tempDir('gitfleet-secret-cli-');
  const repo = await testRepo(join(dir, 'repo'));
  const host = await createIdentity({ path: join(dir, 'h1-state', 'identity.age'), runner: execRunner });
  const admin = await newIdentity();
  await repo.commit({
    'fleet.yaml': `apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nrecipients: [${admin.recipient}]\n`,
    'hosts/h1.yaml': `# the host\napiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nrecipient: ${host.recipient}\n`,
  }, 'fleet');
  return { dir, repo, host, hostIdentity: await readIdentity(join(dir, 'h1-state', 'identity.age')), admin };
}

describe('gitfleet secret', () => {
  it('set reads stdin, encrypts to host + admins, keeps the file; list never shows values', async () => {
    const f = await fleetRepo();
    expect((await run(['set', '--host', 'h1', 'DB_PASSWORD'], f.repo.work, 'first-value\n')).code).toBe(0);
    const path = join(f.repo.work, 'secrets/h1.yaml');
    await writeFile(path, (await readFile(path, 'utf8')).replace('secrets:', '# keep me\nsecrets:'));
    const setOut = await run(['set', '--host', 'h1', 'API_TOKEN'], f.repo.work, 'second-value');
    expect(setOut.out).toMatch(/added API_TOKEN in secrets\/h1.yaml \(encrypted to 2 recipient/);
    const text = await readFile(path, 'utf8');
    expect(text).toContain('# keep me\nsecrets:');
    expect(text).not.toMatch(/first-value|second-value/);
    const doc = parse(text) as { secrets: Record<string, { value: string; created: string; rotated: string; by: string }> };
    expect(await new ValueDecrypter(f.hostIdentity).decrypt(doc.secrets.DB_PASSWORD!.value)).toEqual({ ok: true, value: 'first-value' });
    expect(await new ValueDecrypter(f.admin.identity).decrypt(doc.secrets.API_TOKEN!.value)).toEqual({ ok: true, value: 'second-value' });
    expect(doc.secrets.DB_PASSWORD).toMatchObject({ created: expect.any(String), rotated: expect.any(String), by: expect.any(String) });

    const list = await run(['list', '--host', 'h1', '--json'], f.repo.work);
    const listed = JSON.parse(list.out) as { secrets: Record<string, unknown>[] };
    expect(listed.secrets.map((s) => s.key)).toEqual(['DB_PASSWORD', 'API_TOKEN']);
    expect(Object.keys(listed.secrets[0]!).sort()).toEqual(['by', 'created', 'key', 'rotated']);
    const plain = await run(['list', '--host', 'h1'], f.repo.work);
    for (const o of [list, plain]) expect(`${o.out}${o.err}${o.log}`).not.toMatch(/first-value|second-value|BEGIN AGE/);
  });

  it('refuses a value given as an argument, an empty value, and an unknown host', async () => {
    const f = await fleetRepo();
    const viaMain = await runCli(['secret', 'set', '--host', 'h1', 'KEY', 'the-value'], { env: {}, cwd: f.repo.work });
    expect(viaMain.code).toBe(1);
    expect(viaMain.err).toMatch(/never an argument/);
    await expect(run(['set', '--host', 'h1', 'KEY'], f.repo.work, '')).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(run(['set', '--host', 'nope', 'KEY'], f.repo.work, 'v')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('rotate opens a git-provider branch with the new value encrypted; no value in the commit or the body', async () => {
    const f = await fleetRepo();
    await run(['set', '--host', 'h1', 'DB_PASSWORD'], f.repo.work, 'old-value');
    await git(f.repo.work, ['add', '-A']);
    await git(f.repo.work, ['commit', '-q', '-m', 'secret']);
    await git(f.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    const r = await run(['rotate', '--host', 'h1', 'DB_PASSWORD', '--provider', 'git'], f.repo.work, 'new-value');
    expect(r.out).toMatch(/opened proposal gitfleet\/secret-h1-DB_PASSWORD/);
    const branch = 'gitfleet/secret-h1-DB_PASSWORD';
    const msg = await git(f.repo.remote, ['log', '-1', '--format=%B', branch]);
    expect(msg).toMatch(/^secrets: rotate DB_PASSWORD on h1/);
    const files = await git(f.repo.remote, ['diff', '--name-only', 'main', branch]);
    expect(files).toBe('secrets/h1.yaml');
    const text = await git(f.repo.remote, ['show', `${branch}:secrets/h1.yaml`]);
    const v = (parse(text) as { secrets: { DB_PASSWORD: { value: string } } }).secrets.DB_PASSWORD.value;
    expect(await new ValueDecrypter(f.hostIdentity).decrypt(v)).toEqual({ ok: true, value: 'new-value' });
    expect(`${msg}${r.out}${r.err}${r.log}`).not.toMatch(/new-value|old-value/);
    // generated values: right length and charset, and rotating again updates the same branch
    const g = await run(['rotate', '--host', 'h1', 'DB_PASSWORD', '--generate', '32', '--charset', 'hex'], f.repo.work);
    expect(g.out).toMatch(/updated proposal gitfleet\/secret-h1-DB_PASSWORD/);
    const v2 = (parse(await git(f.repo.remote, ['show', `${branch}:secrets/h1.yaml`])) as { secrets: { DB_PASSWORD: { value: string } } }).secrets.DB_PASSWORD.value;
    const d2 = await new ValueDecrypter(f.hostIdentity).decrypt(v2);
    expect(d2.ok && /^[0-9a-f]{32}$/.test(d2.value)).toBe(true);
    await expect(run(['rotate', '--host', 'h1', 'NOPE'], f.repo.work, 'x')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('set and rotate emit infrastructure.secret.proposed (key only); only the host reports created or rotated', async () => {
    const f = await fleetRepo();
    const state = join(f.dir, 'admin-state');
    const events = async () => (await readFile(join(state, 'events.ndjson'), 'utf8')).split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { topic: string; host: string; payload: Record<string, unknown> });
    await run(['set', '--host', 'h1', 'DB_PASSWORD', '--state-dir', state], f.repo.work, 'first-secret');
    await run(['set', '--host', 'h1', 'DB_PASSWORD', '--state-dir', state], f.repo.work, 'second-secret');
    await git(f.repo.work, ['add', '-A']);
    await git(f.repo.work, ['commit', '-q', '-m', 'secret']);
    await git(f.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    await run(['rotate', '--host', 'h1', 'DB_PASSWORD', '--provider', 'git', '--state-dir', state], f.repo.work, 'third-secret');
    const got = await events();
    expect(got.map((e) => [e.topic, e.host, e.payload])).toEqual([
      ['infrastructure.secret.proposed', 'h1', { key: 'DB_PASSWORD', change: 'create' }],
      ['infrastructure.secret.proposed', 'h1', { key: 'DB_PASSWORD', change: 'rotate' }],
      ['infrastructure.secret.proposed', 'h1', { key: 'DB_PASSWORD', change: 'rotate', branch: 'gitfleet/secret-h1-DB_PASSWORD', url: `${f.repo.remote}#gitfleet/secret-h1-DB_PASSWORD` }],
    ]);
    const audit = (await readFile(join(state, 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { type: string }).type);
    expect(audit).toEqual(['secret.set', 'secret.changed', 'secret.rotation-proposed']);
    expect(JSON.stringify(got)).not.toMatch(/first-secret|second-secret|third-secret/);
  });

  it('rotate leaves a rotation branch someone else committed to alone: exit 1, NOT proposed, no event; deleting the branch lets it propose again', async () => {
    const f = await fleetRepo();
    const state = join(f.dir, 'admin-state');
    const branch = 'gitfleet/secret-h1-DB_PASSWORD';
    const topics = async () => (await readFile(join(state, 'events.ndjson'), 'utf8')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { topic: string }).topic);
    const audit = async () => (await readFile(join(state, 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; data?: Record<string, unknown> });
    await run(['set', '--host', 'h1', 'DB_PASSWORD'], f.repo.work, 'old-value');
    await git(f.repo.work, ['add', '-A']);
    await git(f.repo.work, ['commit', '-q', '-m', 'secret']);
    await git(f.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    expect((await run(['rotate', '--host', 'h1', 'DB_PASSWORD', '--provider', 'git', '--state-dir', state], f.repo.work, 'value-1')).code).toBe(0);
    expect(await topics()).toEqual(['infrastructure.secret.proposed']);

    // A human (test@example.invalid) adds a commit to the bot's rotation branch, with real git.
    const human = join(f.dir, 'human');
    await git(f.dir, ['clone', '-q', '-b', branch, f.repo.remote, human]);
    await writeFile(join(human, 'NOTE.md'), 'rotated with the DBA on call\n');
    await git(human, ['add', '-A']);
    await git(human, ['commit', '-q', '-m', 'note']);
    await git(human, ['push', '-q', 'origin', `HEAD:${branch}`]);
    const theirs = await git(f.repo.remote, ['rev-parse', branch]);

    const r = await run(['rotate', '--host', 'h1', 'DB_PASSWORD', '--provider', 'git', '--state-dir', state], f.repo.work, 'value-2');
    expect(r.code).toBe(1);
    expect(r.out).toBe(`left alone (modified by someone else): proposal ${branch} (${f.repo.remote}#${branch}): DB_PASSWORD NOT rotated\n`);
    expect(r.err).toMatch(new RegExp(`^gitfleet secret rotate: the rotation of DB_PASSWORD on h1 was NOT proposed: branch ${branch} was modified by someone else \\(commit ${theirs.slice(0, 12)} by test@example\\.invalid\\); gitfleet does not update it\\. Delete the branch`));
    const warn = r.log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; branch?: string }).filter((l) => l.level === 40);
    expect(warn).toEqual([expect.objectContaining({ msg: expect.stringMatching(/modified by someone else; the rotation was not proposed/), branch })]);
    expect(await git(f.repo.remote, ['rev-parse', branch])).toBe(theirs); // never force-pushed over
    const onBranch = (parse(await git(f.repo.remote, ['show', `${branch}:secrets/h1.yaml`])) as { secrets: { DB_PASSWORD: { value: string } } }).secrets.DB_PASSWORD.value;
    expect(await new ValueDecrypter(f.hostIdentity).decrypt(onBranch)).toEqual({ ok: true, value: 'value-1' });
    expect(await topics()).toEqual(['infrastructure.secret.proposed']); // nothing proposed, no event
    expect((await audit()).map((a) => a.type)).toEqual(['secret.rotation-proposed', 'secret.rotation-not-proposed']);
    expect(`${r.out}${r.err}${r.log}${JSON.stringify(await audit())}`).not.toMatch(/old-value|value-1|value-2/);

    // Through main: the same refusal is exit code 1.
    const viaMain = await runCli(['secret', 'rotate', '--host', 'h1', 'DB_PASSWORD', '--generate', '20'], { env: { USER: 'tester', GITFLEET_LOG_LEVEL: 'error' }, cwd: f.repo.work });
    expect(viaMain.code).toBe(1);
    expect(viaMain.err).toMatch(/the rotation of DB_PASSWORD on h1 was NOT proposed: branch gitfleet\/secret-h1-DB_PASSWORD was modified by someone else/);

    // The human deletes the branch: gitfleet proposes the rotation anew.
    await git(human, ['push', '-q', 'origin', `:${branch}`]);
    const again = await run(['rotate', '--host', 'h1', 'DB_PASSWORD', '--provider', 'git', '--state-dir', state], f.repo.work, 'value-3');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^opened proposal gitfleet\/secret-h1-DB_PASSWORD/);
    expect(await git(f.repo.remote, ['log', '--format=%ae', `main..${branch}`])).toBe('gitfleet@localhost');
    expect(await topics()).toEqual(['infrastructure.secret.proposed', 'infrastructure.secret.proposed']);
  });

  it('rekey re-encrypts every value to the new host key with an admin identity, as one branch', async () => {
    const f = await fleetRepo();
    await run(['set', '--host', 'h1', 'A'], f.repo.work, 'value-a');
    await run(['set', '--host', 'h1', 'B'], f.repo.work, 'value-b');
    await git(f.repo.work, ['add', '-A']);
    await git(f.repo.work, ['commit', '-q', '-m', 'secrets']);
    await git(f.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    const rebuilt = await newIdentity();
    const adminFile = join(f.dir, 'admin.txt');
    await writeFile(adminFile, `${f.admin.identity}\n`, { mode: 0o600 });
    const r = await run(['rekey', '--host', 'h1', '--recipient', rebuilt.recipient, '--identity', adminFile], f.repo.work);
    expect(r.out).toMatch(/opened proposal gitfleet\/secret-rekey-h1.*A, B/);
    const branch = 'gitfleet/secret-rekey-h1';
    const host = await git(f.repo.remote, ['show', `${branch}:hosts/h1.yaml`]);
    expect(host.startsWith('# the host\n')).toBe(true);
    expect((parse(host) as { recipient: string }).recipient).toBe(rebuilt.recipient);
    const s = (parse(await git(f.repo.remote, ['show', `${branch}:secrets/h1.yaml`])) as { secrets: Record<string, { value: string }> }).secrets;
    const dec = new ValueDecrypter(rebuilt.identity);
    expect([await dec.decrypt(s.A!.value), await dec.decrypt(s.B!.value)]).toEqual([{ ok: true, value: 'value-a' }, { ok: true, value: 'value-b' }]);
    expect((await new ValueDecrypter(f.hostIdentity).decrypt(s.A!.value)).ok).toBe(false);
    expect(await git(f.repo.remote, ['log', '-1', '--format=%B', branch])).not.toMatch(/value-a|value-b/);
  });

  it('rekey leaves a rekey branch someone else committed to alone: exit 1, NOT proposed, a not-proposed audit line; deleting the branch lets it propose again', async () => {
    const f = await fleetRepo();
    const state = join(f.dir, 'admin-state');
    const branch = 'gitfleet/secret-rekey-h1';
    const audit = async () => (await readFile(join(state, 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; data?: Record<string, unknown> });
    const topics = async () => (await readFile(join(state, 'events.ndjson'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { topic: string }).topic);
    await run(['set', '--host', 'h1', 'A'], f.repo.work, 'value-a');
    await git(f.repo.work, ['add', '-A']);
    await git(f.repo.work, ['commit', '-q', '-m', 'secret']);
    await git(f.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    const adminFile = join(f.dir, 'admin.txt');
    await writeFile(adminFile, `${f.admin.identity}\n`, { mode: 0o600 });
    const rekey = async () => run(['rekey', '--host', 'h1', '--recipient', (await newIdentity()).recipient, '--identity', adminFile, '--provider', 'git', '--state-dir', state], f.repo.work);
    expect((await rekey()).code).toBe(0);

    // A human (test@example.invalid) adds a commit to the bot's rekey branch, with real git.
    const human = join(f.dir, 'human');
    await git(f.dir, ['clone', '-q', '-b', branch, f.repo.remote, human]);
    await writeFile(join(human, 'NOTE.md'), 'host rebuilt, ticket OPS-2\n');
    await git(human, ['add', '-A']);
    await git(human, ['commit', '-q', '-m', 'note']);
    await git(human, ['push', '-q', 'origin', `HEAD:${branch}`]);
    const theirs = await git(f.repo.remote, ['rev-parse', branch]);

    const r = await rekey();
    expect(r.code).toBe(1);
    expect(r.out).toBe(`left alone (modified by someone else): proposal ${branch} (${f.repo.remote}#${branch}): A NOT rekeyed\n`);
    expect(r.err).toMatch(new RegExp(`^gitfleet secret rekey: the rekey of A on h1 was NOT proposed: branch ${branch} was modified by someone else \\(commit ${theirs.slice(0, 12)} by test@example\\.invalid\\); gitfleet does not update it\\. Delete the branch`));
    const warn = r.log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; branch?: string }).filter((l) => l.level === 40);
    expect(warn).toEqual([expect.objectContaining({ msg: expect.stringMatching(/modified by someone else; the rekey was not proposed/), branch })]);
    expect(await git(f.repo.remote, ['rev-parse', branch])).toBe(theirs); // never force-pushed over
    const types = (await audit()).map((a) => a.type);
    expect(types).toEqual(['secret.rekey-proposed', 'secret.rekey-not-proposed']);
    expect((await audit())[1]!.data).toMatchObject({ host: 'h1', keys: ['A'], branch, reason: expect.stringMatching(/modified by someone else/) });
    expect(await topics()).toEqual([]); // a rekey is not a secret.proposed event, proposed or not
    expect(`${r.out}${r.err}${r.log}${JSON.stringify(await audit())}`).not.toMatch(/value-a|AGE-SECRET-KEY/);

    // Through main: the same refusal is exit code 1.
    const viaMain = await runCli(['secret', 'rekey', '--host', 'h1', '--recipient', (await newIdentity()).recipient, '--identity', adminFile], { env: { USER: 'tester', GITFLEET_LOG_LEVEL: 'error' }, cwd: f.repo.work });
    expect(viaMain.code).toBe(1);
    expect(viaMain.err).toMatch(/the rekey of A on h1 was NOT proposed: branch gitfleet\/secret-rekey-h1 was modified by someone else/);

    // The human deletes the branch: gitfleet proposes the rekey anew.
    await git(human, ['push', '-q', 'origin', `:${branch}`]);
    const again = await rekey();
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^opened proposal gitfleet\/secret-rekey-h1.*: A\n$/);
    expect(await git(f.repo.remote, ['log', '--format=%ae', `main..${branch}`])).toBe('gitfleet@localhost');
    expect((await audit()).map((a) => a.type)).toEqual(['secret.rekey-proposed', 'secret.rekey-not-proposed', 'secret.rekey-proposed']);
  });
});

describe('gitfleet secret rotate|rekey --provider github (against the fake GitHub)', () => {
  it('opens the pull requests with the token from GITHUB_TOKEN or --github-token-file; no value or token in any text', async () => {
    const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
    const tag = randomBytes(4).toString('hex');
    const V = { old: `old-value-${tag}`, neu: `new-value-${tag}`, b: `value-b-${tag}` };
    const fake = await startFakeGitHub({ token: TOKEN });
    try {
      const dir = await tempDir('gitfleet-secret-gh-');
      const work = join(dir, 'work');
      const hostId = await createIdentity({ path: join(dir, 'h1-state', 'identity.age'), runner: execRunner });
      const admin = await newIdentity();
      const files: Record<string, string> = {
        'fleet.yaml': `apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nprovider: {github: {owner: acme, repo: fleet, baseUrl: "${fake.apiUrl}"}}\nrecipients: [${admin.recipient}]\n`,
        'hosts/h1.yaml': `apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nrecipient: ${hostId.recipient}\n`,
      };
      // An operator's work tree whose origin is the (fake) GitHub repository: set the secrets there, seed them as main.
      await git(dir, ['init', '-q', '-b', 'main', work]);
      await git(work, ['remote', 'add', 'origin', fake.gitUrl]);
      for (const [p, t] of Object.entries(files)) { await mkdir(join(work, p, '..'), { recursive: true }); await writeFile(join(work, p), t); }
      expect((await run(['set', '--host', 'h1', 'DB_PASSWORD'], work, V.old)).code).toBe(0);
      expect((await run(['set', '--host', 'h1', 'B'], work, V.b)).code).toBe(0);
      files['secrets/h1.yaml'] = await readFile(join(work, 'secrets/h1.yaml'), 'utf8');
      await fake.seed(files, 'fleet with secrets');

      const state = join(dir, 'admin-state');
      await expect(run(['rotate', '--host', 'h1', 'DB_PASSWORD', '--state-dir', state], work, V.neu)).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/GITHUB_TOKEN or pass --github-token-file/) });
      // fleet.yaml names github: no --provider needed.
      const r = await run(['rotate', '--host', 'h1', 'DB_PASSWORD', '--state-dir', state], work, V.neu, { GITHUB_TOKEN: TOKEN });
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^opened proposal gitfleet\/secret-h1-DB_PASSWORD \(http:\/\/127\.0\.0\.1:\d+\/acme\/fleet\/pull\/1\): DB_PASSWORD\n$/);
      expect(fake.pulls).toHaveLength(1);
      const pr = fake.pulls[0]!;
      expect(pr).toMatchObject({ title: 'rotate secret DB_PASSWORD on h1', head: 'gitfleet/secret-h1-DB_PASSWORD', base: 'main', state: 'open', labels: ['gitfleet', 'secret-rotation'] });
      expect(await fake.branchSha(pr.head)).toBe(pr.headSha);
      const msg = await git(fake.bare, ['log', '-1', '--format=%B', pr.head]);
      expect(msg).toMatch(/^secrets: rotate DB_PASSWORD on h1/);
      expect(await git(fake.bare, ['diff', '--name-only', 'main', pr.head])).toBe('secrets/h1.yaml');
      const rotated = (parse(await git(fake.bare, ['show', `${pr.head}:secrets/h1.yaml`])) as { secrets: Record<string, { value: string }> }).secrets;
      const hostDec = new ValueDecrypter(await readIdentity(join(dir, 'h1-state', 'identity.age')));
      expect(await hostDec.decrypt(rotated.DB_PASSWORD!.value)).toEqual({ ok: true, value: V.neu });
      expect(await hostDec.decrypt(rotated.B!.value)).toEqual({ ok: true, value: V.b });

      // rekey with the token from a file, after the rotation is merged by a human
      await fake.humanMerge(pr.head);
      const tokenFile = join(dir, 'token');
      await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
      const adminFile = join(dir, 'admin.txt');
      await writeFile(adminFile, `${admin.identity}\n`, { mode: 0o600 });
      const rebuilt = await newIdentity();
      const k = await run(['rekey', '--host', 'h1', '--recipient', rebuilt.recipient, '--identity', adminFile, '--provider', 'github', '--github-token-file', tokenFile, '--state-dir', state], work);
      expect(k.out).toMatch(/^opened proposal gitfleet\/secret-rekey-h1 \(.*\/pull\/2\): DB_PASSWORD, B\n$/);
      const pr2 = fake.pulls[1]!;
      expect(pr2).toMatchObject({ title: 'rekey secrets of h1', head: 'gitfleet/secret-rekey-h1', labels: ['gitfleet', 'secret-rekey'] });
      const rekeyed = (parse(await git(fake.bare, ['show', `${pr2.head}:secrets/h1.yaml`])) as { secrets: Record<string, { value: string }> }).secrets;
      const newDec = new ValueDecrypter(rebuilt.identity);
      // built on main after the merge: the rotated value, re-encrypted
      expect([await newDec.decrypt(rekeyed.DB_PASSWORD!.value), await newDec.decrypt(rekeyed.B!.value)]).toEqual([{ ok: true, value: V.neu }, { ok: true, value: V.b }]);
      expect((parse(await git(fake.bare, ['show', `${pr2.head}:hosts/h1.yaml`])) as { recipient: string }).recipient).toBe(rebuilt.recipient);
      const msg2 = await git(fake.bare, ['log', '-1', '--format=%B', pr2.head]);

      // No value and no token in the PR texts, the commits, the output, the log, the admin state dir.
      const stateFiles = await Promise.all((await readdir(state)).filter((f) => /\.(ndjson|jsonl)$/.test(f)).map((f) => readFile(join(state, f), 'utf8')));
      expect(stateFiles.length).toBe(2);
      expect(stateFiles.join('')).toContain('"secret.rotation-proposed"');
      const texts = [pr.title, pr.body, pr2.title, pr2.body, msg, msg2, r.out, r.err, r.log, k.out, k.err, k.log, ...stateFiles, JSON.stringify(fake.requests.map((q) => q.body))];
      for (const t of texts) for (const v of [...Object.values(V), TOKEN]) expect(t).not.toContain(v);
      expect(pr.body).toMatch(/appears nowhere in clear/);
    } finally {
      const failures = [...fake.failures];
      await fake.close();
      // The fake saw no unknown request and no contract violation.
      expect(failures).toEqual([]);
    }
  }, 30_000);

  it('a rotation PR someone else committed to, or closed without merge, is left alone: exit 1, no event; a deleted branch proposes again', async () => {
    const TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
    const fake = await startFakeGitHub({ token: TOKEN });
    try {
      const dir = await tempDir('gitfleet-secret-gh-modified-');
      const work = join(dir, 'work');
      const hostId = await createIdentity({ path: join(dir, 'h1-state', 'identity.age'), runner: execRunner });
      const files: Record<string, string> = {
        'fleet.yaml': `apiVersion: gitfleet/v1\nkind: Fleet\nname: t\nprovider: {github: {owner: acme, repo: fleet, baseUrl: "${fake.apiUrl}"}}\n`,
        'hosts/h1.yaml': `apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nrecipient: ${hostId.recipient}\n`,
      };
      await git(dir, ['init', '-q', '-b', 'main', work]);
      await git(work, ['remote', 'add', 'origin', fake.gitUrl]);
      for (const [p, t] of Object.entries(files)) { await mkdir(join(work, p, '..'), { recursive: true }); await writeFile(join(work, p), t); }
      await run(['set', '--host', 'h1', 'DB_PASSWORD'], work, 'old');
      files['secrets/h1.yaml'] = await readFile(join(work, 'secrets/h1.yaml'), 'utf8');
      await fake.seed(files, 'fleet with a secret');
      const state = join(dir, 'admin-state');
      const rotate = () => run(['rotate', '--host', 'h1', 'DB_PASSWORD', '--state-dir', state, '--generate', '24'], work, '', { GITHUB_TOKEN: TOKEN });
      const proposed = async () => (await readFile(join(state, 'events.ndjson'), 'utf8')).split('\n').filter((l) => l.includes('infrastructure.secret.proposed')).length;
      expect((await rotate()).code).toBe(0);
      const branch = fake.pulls[0]!.head;

      // Someone pushes a commit of their own onto the PR's branch.
      const human = join(dir, 'human');
      await git(dir, ['clone', '-q', '-b', branch, fake.bare, human]);
      await writeFile(join(human, 'NOTE.md'), 'ticket OPS-1\n');
      await git(human, ['add', '-A']);
      await git(human, ['commit', '-q', '-m', 'note']);
      await git(human, ['push', '-q', 'origin', `HEAD:${branch}`]);
      const theirs = await fake.branchSha(branch);
      const modified = await rotate();
      expect(modified.code).toBe(1);
      expect(modified.out).toMatch(/^left alone \(modified by someone else\): proposal gitfleet\/secret-h1-DB_PASSWORD \(http:\/\/127\.0\.0\.1:\d+\/acme\/fleet\/pull\/1\): DB_PASSWORD NOT rotated\n$/);
      expect(modified.err).toMatch(/was NOT proposed: branch gitfleet\/secret-h1-DB_PASSWORD was modified by someone else \(commit [0-9a-f]{12} by test@example\.invalid\)/);
      expect(await fake.branchSha(branch)).toBe(theirs);
      expect(await proposed()).toBe(1);

      // A human closes the PR without merging (the branch stays): not reopened, not proposed.
      fake.closeAsHuman(1);
      const closed = await rotate();
      expect(closed.code).toBe(1);
      expect(closed.out).toMatch(/^left alone \(closed without merge\): proposal gitfleet\/secret-h1-DB_PASSWORD \(.*\/pull\/1\): DB_PASSWORD NOT rotated\n$/);
      expect(closed.err).toMatch(/NOT proposed: the proposal .*\/pull\/1 was closed without merge and gitfleet does not reopen it\. Delete the branch gitfleet\/secret-h1-DB_PASSWORD/);
      expect(closed.log).toMatch(/"level":40.*not pushed \(a proposal closed without merge is not reopened\)/);
      expect(fake.pulls.map((p) => p.state)).toEqual(['closed']);
      expect(await proposed()).toBe(1);

      await fake.deleteBranch(branch);
      const again = await rotate();
      expect(again.code).toBe(0);
      expect(again.out).toMatch(/^opened proposal gitfleet\/secret-h1-DB_PASSWORD \(.*\/pull\/2\)/);
      expect(await proposed()).toBe(2);
    } finally {
      const failures = [...fake.failures];
      await fake.close();
      expect(failures).toEqual([]);
    }
  }, 30_000);

  it('refuses --provider github without provider.github in fleet.yaml, and a token file with the git provider', async () => {
    const f = await fleetRepo();
    await run(['set', '--host', 'h1', 'K'], f.repo.work, 'v');
    await expect(run(['rotate', '--host', 'h1', 'K', '--provider', 'github'], f.repo.work, 'w', { GITHUB_TOKEN: 'x' })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/provider: \{github: \{owner, repo\}\}/) });
    await expect(run(['rotate', '--host', 'h1', 'K', '--github-token-file', '/nonexistent'], f.repo.work, 'w')).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/--github-token-file is for the github provider/) });
  });
});
