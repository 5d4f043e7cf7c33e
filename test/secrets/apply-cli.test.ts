// `gitfleet apply` reports secrets: written/removed in the output and --json, a key that fails to decrypt by key
// and reason (never by value) with exit 1, while the packages (here: a sandbox) are still applied.
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { secretCommand } from '../../src/cli/secret.js';
import { statePaths } from '../../src/util/state-dir.js';
import { testRepo } from '../helpers/git.js';
import { runCli, runCommand } from '../helpers/cli.js';
import { tamperedSecretsFile, tempDir } from './helpers.js';

function cli(argv: string[], cwd: string) {
  return runCli(argv, { cwd, env: { USER: 'tester', GITFLEET_LOG_LEVEL: 'debug' } });
}

/** `gitfleet secret set` with the value on stdin (the CLI context takes a stdin beside the streams). */
async function setSecretCli(work: string, key: string, value: string): Promise<number> {
  return (await runCommand(secretCommand, ['set', '--host', 'h1', key], { cwd: work, env: { USER: 'tester' }, input: value })).code;
}

const sandboxHost = (sandboxes: string[]) =>
  `apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nsandboxes: {${sandboxes.map((s) => `${s}: {template: node}`).join(', ')}}\n`;

describe('gitfleet apply with secrets', () => {
  it('reports written keys; a tampered value: key and reason, packages applied, exit 1, --json carries the result', async () => {
    const tag = randomBytes(4).toString('hex');
    const V = { db: `db-${tag}`, tok: `tok-${tag}`, tok2: `tok2-${tag}` };
    const dir = await tempDir('gitfleet-apply-secrets-');
    const repo = await testRepo(join(dir, 'repo'));
    const state = join(dir, 'state');
    await repo.commit({
      'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\n',
      'hosts/h1.yaml': sandboxHost(['a']),
      'sandboxes/node.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: node\ntype: {linux: node}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    }, 'fleet');
    expect((await cli(['host', 'keygen', '--state-dir', state, '--repo', repo.work, '--host', 'h1'], dir)).code).toBe(0);
    expect(await setSecretCli(repo.work, 'DB_PASSWORD', V.db)).toBe(0);
    expect(await setSecretCli(repo.work, 'API_TOKEN', V.tok)).toBe(0);
    await repo.commit({}, 'secrets');
    const apply = (...extra: string[]) => cli(['apply', '--host', 'h1', '--repo', repo.remote, '--state-dir', state, '--yes', ...extra], dir);

    const ok = await apply();
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/Apply complete in [\d.]+ s: 1 sandbox\(es\) created/);
    expect(ok.out).toContain('Secrets: 2 written (DB_PASSWORD, API_TOKEN).');
    expect(ok.out).not.toMatch(/FAILED/);
    expect(await readFile(join(statePaths(state).secrets, 'DB_PASSWORD'), 'utf8')).toBe(V.db);

    // A new sandbox (a real change to apply), a tampered DB_PASSWORD and a new API_TOKEN in one revision.
    const file = join(repo.work, 'secrets/h1.yaml');
    const tampered = tamperedSecretsFile(await readFile(file, 'utf8'), 'DB_PASSWORD');
    const hostText = (await readFile(join(repo.work, 'hosts/h1.yaml'), 'utf8')).replace('{a: {template: node}}', '{a: {template: node}, b: {template: node}}');
    await repo.commit({ 'secrets/h1.yaml': tampered, 'hosts/h1.yaml': hostText }, 'tamper');
    expect(await setSecretCli(repo.work, 'API_TOKEN', V.tok2)).toBe(0);
    await repo.commit({}, 'rotate API_TOKEN');

    const bad = await apply();
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/Apply complete in [\d.]+ s: 1 sandbox\(es\) created/);
    expect(bad.out).toContain('Secrets: 1 written (API_TOKEN).');
    expect(bad.out).toMatch(/Secrets FAILED for 1 key\(s\); the packages above were applied/);
    expect(bad.out).toMatch(/^ {2}DB_PASSWORD: secret\.tampered: secret "DB_PASSWORD" of host "h1": .+$/m);
    expect((await stat(join(state, 'sandboxes', 'b'))).isDirectory()).toBe(true);
    // The old value stays in the store; the new token is there.
    expect(await readFile(join(statePaths(state).secrets, 'DB_PASSWORD'), 'utf8')).toBe(V.db);
    expect(await readFile(join(statePaths(state).secrets, 'API_TOKEN'), 'utf8')).toBe(V.tok2);

    const json = await apply('--json');
    expect(json.code).toBe(1);
    const res = JSON.parse(json.out) as { result: { status: string }; secrets: { written: string[]; removed: string[]; errors: { key: string; code: string; message: string }[] } };
    expect(res.result.status).toBe('no-changes');
    expect(res.secrets).toMatchObject({ written: [], removed: [], envWritten: [], envRemoved: [] });
    expect(res.secrets.errors.map((e) => [e.key, e.code])).toEqual([['DB_PASSWORD', 'secret.tampered']]);

    // Removing the broken key from the repo: removed locally, exit 0 again, reported in --json.
    const doc = parseDocument(await readFile(file, 'utf8'));
    doc.deleteIn(['secrets', 'DB_PASSWORD']);
    await repo.commit({ 'secrets/h1.yaml': doc.toString() }, 'drop DB_PASSWORD');
    const fixed = await apply('--json');
    expect(JSON.parse(fixed.out).secrets).toMatchObject({ removed: ['DB_PASSWORD'], errors: [] });
    expect(fixed.code).toBe(0);

    for (const o of [ok, bad, json, fixed]) for (const v of Object.values(V)) expect(`${o.out}${o.err}`).not.toContain(v);
  }, 30_000);
});
