// Materializing on the host: own secrets only, removals, a tampered value, env files, no temp files left.
import { mkdir, readdir, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smallFleet, validateMemory } from '../helpers/fleet.js';
import { encryptValue, newIdentity } from '../../src/secrets/age.js';
import { createIdentity } from '../../src/secrets/identity.js';
import { ENV_FILE, materializeSecrets } from '../../src/secrets/materialize.js';
import { execRunner } from '../../src/util/exec.js';
import { statePaths } from '../../src/util/state-dir.js';
import { tamperPayload, tempDir } from './helpers.js';

const hostDoc = (name: string, recipient: string) => `apiVersion: gitfleet/v1\nkind: Host\nname: ${name}\nos: linux\narch: x64\nrecipient: ${recipient}\n`;
const block = (v: string) => `|\n${v.trimEnd().split('\n').map((l) => `      ${l}`).join('\n')}\n`;
const secretsDoc = (host: string, values: Record<string, string>) =>
  `apiVersion: gitfleet/v1\nkind: Secrets\nname: ${host}\nsecrets:\n${Object.entries(values).map(([k, v]) => `  ${k}:\n    value: ${block(v)}`).join('')}`;

async function setup() {
  const dir = await tempDir();
  const state = join(dir, 'state');
  const h1 = await createIdentity({ path: statePaths(state).identity, runner: execRunner });
  const h2 = await newIdentity();
  return { dir, state, h1, h2 };
}

async function model(files: Record<string, string>) {
  const v = await validateMemory({ ...smallFleet(), ...files });
  expect(v.diagnostics).toEqual([]);
  return v.model;
}

async function storeFiles(state: string): Promise<Record<string, string>> {
  const dir = statePaths(state).secrets;
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = await readFile(join(dir, f), 'utf8');
  return out;
}

describe('materializeSecrets', () => {
  it('writes only its own keys (0600); another host\'s file is never decrypted, even when it could be', async () => {
    const { state, h1, h2 } = await setup();
    // h2's file holds a value encrypted to h1 too, and a tampered one: trying it would show up in either case.
    const m = await model({
      'hosts/h1.yaml': hostDoc('h1', h1.recipient), 'hosts/h2.yaml': hostDoc('h2', h2.recipient),
      'secrets/h1.yaml': secretsDoc('h1', { DB_PASSWORD: await encryptValue('pw-1', [h1.recipient]), API_TOKEN: await encryptValue('tok-1', [h1.recipient, h2.recipient]) }),
      'secrets/h2.yaml': secretsDoc('h2', { H2_ONLY: await encryptValue('h2-readable-by-h1', [h1.recipient, h2.recipient]), BROKEN: tamperPayload(await encryptValue('x', [h1.recipient])) }),
    });
    const r = await materializeSecrets({ model: m, host: 'h1', stateDir: state, sandboxes: [] });
    expect(r).toEqual({ written: ['DB_PASSWORD', 'API_TOKEN'], created: ['DB_PASSWORD', 'API_TOKEN'], removed: [], envWritten: [], envRemoved: [], errors: [] });
    expect(await storeFiles(state)).toEqual({ API_TOKEN: 'tok-1', DB_PASSWORD: 'pw-1' });
    for (const f of ['API_TOKEN', 'DB_PASSWORD']) expect((await stat(join(statePaths(state).secrets, f))).mode & 0o777).toBe(0o600);
    expect((await stat(statePaths(state).secrets)).mode & 0o777).toBe(0o700);
    // nothing changed: nothing written again
    expect((await materializeSecrets({ model: m, host: 'h1', stateDir: state, sandboxes: [] })).written).toEqual([]);
  });

  it('removes keys gone from the repo; a tampered key is an error for that key, the others apply, no temp files', async () => {
    const { state, h1 } = await setup();
    const enc = (v: string) => encryptValue(v, [h1.recipient]);
    await materializeSecrets({ model: await model({ 'hosts/h1.yaml': hostDoc('h1', h1.recipient), 'secrets/h1.yaml': secretsDoc('h1', { A: await enc('a-1'), B: await enc('b-1'), C: await enc('c-1') }) }), host: 'h1', stateDir: state, sandboxes: [] });
    // a leftover of an interrupted write, and a file that is not ours
    await writeFile(join(statePaths(state).secrets, '.A.0123456789ab.tmp'), 'partial');
    await writeFile(join(statePaths(state).secrets, 'not a key'), 'keep');
    const m2 = await model({ 'hosts/h1.yaml': hostDoc('h1', h1.recipient), 'secrets/h1.yaml': secretsDoc('h1', { A: tamperPayload(await enc('a-2')), B: await enc('b-2') }) });
    const r = await materializeSecrets({ model: m2, host: 'h1', stateDir: state, sandboxes: [] });
    expect(r.written).toEqual(['B']);
    expect(r.created).toEqual([]); // B had a value: a changed one is a rotation, not a creation
    expect(r.removed).toEqual(['C']);
    expect(r.errors).toEqual([{ key: 'A', code: 'secret.tampered', message: expect.stringMatching(/secret "A" of host "h1": .*modified/) }]);
    // A keeps its last good value rather than being half-written or dropped
    expect(await storeFiles(state)).toEqual({ A: 'a-1', B: 'b-2', 'not a key': 'keep' });
    expect(JSON.stringify(r)).not.toMatch(/a-2|b-2|a-1/);
  });

  it('a value for another key and a missing identity are reported per key', async () => {
    const { dir, state, h1, h2 } = await setup();
    const m = await model({ 'hosts/h1.yaml': hostDoc('h1', h1.recipient), 'secrets/h1.yaml': secretsDoc('h1', { WRONG: await encryptValue('w', [h2.recipient]), OK: await encryptValue('ok', [h1.recipient]) }) });
    const r = await materializeSecrets({ model: m, host: 'h1', stateDir: state, sandboxes: [] });
    expect(r.errors.map((e) => [e.key, e.code])).toEqual([['WRONG', 'secret.wrong-key']]);
    expect(r.written).toEqual(['OK']);
    const none = await materializeSecrets({ model: m, host: 'h1', stateDir: join(dir, 'other-state'), sandboxes: [] });
    expect(none.errors.map((e) => [e.key, e.code])).toEqual([['WRONG', 'secret.no-identity'], ['OK', 'secret.no-identity']]);
    expect(none.errors[0]!.message).toMatch(/gitfleet host keygen/);
  });

  it('writes sandbox env files a POSIX shell reads back exactly; all or nothing per sandbox', async () => {
    const { dir, state, h1 } = await setup();
    const values = { DB_PASSWORD: `it's "quoted" $HOME \`x\` \\ ;|&\nline2`, PLAIN: 'abc-123_./:@', EMPTYISH: ' ' };
    const enc: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) enc[k] = await encryptValue(v, [h1.recipient]);
    const m = await model({ 'hosts/h1.yaml': hostDoc('h1', h1.recipient), 'secrets/h1.yaml': secretsDoc('h1', enc) });
    const app = join(dir, 'sb', 'app');
    const bad = join(dir, 'sb', 'bad');
    const none = join(dir, 'sb', 'none');
    await mkdir(none, { recursive: true });
    await writeFile(join(none, ENV_FILE), 'OLD=1\n');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, ENV_FILE), 'KEPT=1\n');
    await chmod(join(bad, ENV_FILE), 0o600);
    const r = await materializeSecrets({ model: m, host: 'h1', stateDir: state, sandboxes: [
      { name: 'app', path: app, secrets: ['DB_PASSWORD', 'PLAIN', 'EMPTYISH'] },
      { name: 'bad', path: bad, secrets: ['PLAIN', 'MISSING'] },
      { name: 'none', path: none, secrets: [] },
    ] });
    expect(r.envWritten).toEqual(['app']);
    expect(r.envRemoved).toEqual(['none']);
    expect(r.errors.map((e) => [e.key, e.code])).toEqual([['MISSING', 'secret.missing']]);
    expect(await readFile(join(bad, ENV_FILE), 'utf8')).toBe('KEPT=1\n');
    expect((await stat(join(app, ENV_FILE))).mode & 0o777).toBe(0o600);
    for (const [k, v] of Object.entries(values)) {
      // test-only: check the quoting against a real POSIX shell (the product never runs one)
      const out = await execRunner.run({ file: 'sh', args: ['-c', `set -a; . "$1"; printf %s "$${k}"`, 'sh', join(app, ENV_FILE)], cleanEnv: true, env: {} });
      expect(out.stdout).toBe(v);
    }
    expect((await readdir(app)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the env file alone when a value cannot be an environment value; the store still gets it', async () => {
    const { dir, state, h1 } = await setup();
    const m = await model({ 'hosts/h1.yaml': hostDoc('h1', h1.recipient), 'secrets/h1.yaml': secretsDoc('h1', { BIN: await encryptValue('a\u0000b', [h1.recipient]), OK: await encryptValue('ok', [h1.recipient]) }) });
    const app = join(dir, 'sb', 'app');
    await mkdir(app, { recursive: true });
    await writeFile(join(app, ENV_FILE), 'KEPT=1\n');
    const r = await materializeSecrets({ model: m, host: 'h1', stateDir: state, sandboxes: [{ name: 'app', path: app, secrets: ['OK', 'BIN'] }] });
    expect(r.errors).toEqual([{ key: 'BIN', code: 'secret.env-value', message: expect.stringMatching(/sandbox "app": the value of secret "BIN" holds a character/) }]);
    expect(r.envWritten).toEqual([]);
    expect(await readFile(join(app, ENV_FILE), 'utf8')).toBe('KEPT=1\n');
    expect(await storeFiles(state)).toEqual({ BIN: 'a\u0000b', OK: 'ok' });
  });
});
