// `gitfleet secret set|list|rotate|rekey` with real git repositories and the real git provider.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { parse } from 'yaml';
import { secretCommand } from '../../src/cli/secret.js';
import { main } from '../../src/cli/main.js';
import { newIdentity, ValueDecrypter } from '../../src/secrets/age.js';
import { createIdentity, readIdentity } from '../../src/secrets/identity.js';
import { execRunner } from '../../src/util/exec.js';
import { testRepo, git } from '../helpers/git.js';
import { tempDir } from '../secrets/helpers.js';

async function run(argv: string[], cwd: string, input = ''): Promise<{ code: number; out: string; err: string; log: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const logStream = new PassThrough();
  let out = ''; let err = ''; let log = '';
  stdout.on('data', (c: Buffer) => { out += c.toString(); });
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  logStream.on('data', (c: Buffer) => { log += c.toString(); });
  const ctx = { argv, stdout, stderr, log: pino({ level: 'trace' }, logStream), cwd, env: { USER: 'tester' }, stdin: Readable.from([input]) };
  const code = await secretCommand.run(ctx);
  return { code, out, err, log };
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
    const io = { stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: f.repo.work };
    let err = '';
    io.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    expect(await main(['secret', 'set', '--host', 'h1', 'KEY', 'the-value'], io)).toBe(1);
    expect(err).toMatch(/never an argument/);
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
});
