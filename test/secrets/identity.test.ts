import { readFile, stat, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createIdentity, icaclsCommand, identityFileRecipient, readIdentity } from '../../src/secrets/identity.js';
import { withRecipient } from '../../src/secrets/secrets-doc.js';
import { execRunner, type Command, type Runner } from '../../src/util/exec.js';
import { GitfleetError } from '../../src/util/errors.js';
import { ageCli, tempDir } from './helpers.js';

describe('host identity', () => {
  it('is a 0600 file that age-keygen -y and age -d accept, printing its recipient', async () => {
    const dir = await tempDir();
    const path = join(dir, 'state', 'identity.age');
    const made = await createIdentity({ path, runner: execRunner });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(made.recipient).toMatch(/^age1[02-9ac-hj-np-z]{58}$/);
    expect((await readFile(path, 'utf8'))).toContain(`# public key: ${made.recipient}\n`);
    expect(await identityFileRecipient(path)).toBe(made.recipient);
    const { stdout } = await execRunner.run({ file: 'age-keygen', args: ['-y', path] });
    expect(stdout.trim()).toBe(made.recipient);
    expect(await ageCli(['-d', '-i', path], await ageCli(['-r', made.recipient, '-a'], 'v'))).toBe('v');
    expect((await readdir(join(dir, 'state'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to replace an identity without force, replaces it with force', async () => {
    const dir = await tempDir();
    const path = join(dir, 'identity.age');
    const first = await createIdentity({ path, runner: execRunner });
    const err = await createIdentity({ path, runner: execRunner }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitfleetError);
    expect((err as GitfleetError).message).toMatch(/--force/);
    expect(await identityFileRecipient(path)).toBe(first.recipient);
    const second = await createIdentity({ path, runner: execRunner, force: true });
    expect(second.recipient).not.toBe(first.recipient);
    expect(await identityFileRecipient(path)).toBe(second.recipient);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('on Windows limits the ACL with icacls (by SID) and says so', async () => {
    const seen: Command[] = [];
    const runner: Runner = { async run(cmd) { seen.push(cmd); return { command: cmd, exitCode: 0, stdout: '', stderr: '', durationMs: 1 }; } };
    const path = join(await tempDir(), 'identity.age');
    const made = await createIdentity({ path, runner, platform: 'win32' });
    expect(seen).toEqual([icaclsCommand(path)]);
    expect(icaclsCommand(path).args).toEqual([path, '/inheritance:r', '/grant:r', '*S-1-5-18:F', '*S-1-5-32-544:F']);
    expect(made.aclNote).toMatch(/SYSTEM and Administrators/);
  });

  it('reads an identity written by age-keygen; a file without one is E_PARSE, a missing one E_NOT_FOUND', async () => {
    const dir = await tempDir();
    const kg = join(dir, 'kg.txt');
    await execRunner.run({ file: 'age-keygen', args: ['-o', kg] });
    expect(await readIdentity(kg)).toMatch(/^AGE-SECRET-KEY-1/);
    await writeFile(join(dir, 'bad'), '# nothing here\n');
    await expect(readIdentity(join(dir, 'bad'))).rejects.toMatchObject({ code: 'E_PARSE' });
    await expect(readIdentity(join(dir, 'none'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});

describe('recipient in hosts/<name>.yaml', () => {
  it('sets or replaces `recipient:` and keeps comments and layout', () => {
    const text = '# the GPU box\napiVersion: gitfleet/v1\nkind: Host\nname: h1   # short name\nos: linux\narch: x64\nlabels: {role: trainer}  # flow stays flow\n';
    const out = withRecipient(text, 'h1', 'age1new', 'hosts/h1.yaml');
    expect(out.startsWith(text)).toBe(true);
    expect(parse(out)).toMatchObject({ name: 'h1', labels: { role: 'trainer' }, recipient: 'age1new' });
    const again = withRecipient(out, 'h1', 'age1newer', 'hosts/h1.yaml');
    expect(again.startsWith(text)).toBe(true);
    expect(again.split('\n').length).toBe(out.split('\n').length);
    expect(parse(again).recipient).toBe('age1newer');
    expect(() => withRecipient(text, 'h2', 'age1x', 'hosts/h2.yaml')).toThrow(/not the Host document/);
  });
});
