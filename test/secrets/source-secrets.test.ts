// The secrets a host's sources name, for the apply of the revision that brings them: exactly those keys of this
// host's file are decrypted (never another host's, never an unnamed key), a key that does not decrypt throws for
// whoever needs it, and they reach the store (0600, only when changed, audited) only when `materialize` is called.
import { readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { validateMemory } from '../helpers/fleet.js';
import { encryptValue, newIdentity } from '../../src/secrets/age.js';
import { createIdentity } from '../../src/secrets/identity.js';
import { referencedKeys, sourceSecrets } from '../../src/secrets/source-secrets.js';
import { AuditLog } from '../../src/events/audit.js';
import { EventBus } from '../../src/events/bus.js';
import type { AnyEvent } from '../../src/events/types.js';
import { resolveHost } from '../../src/fleet/resolve.js';
import { execRunner } from '../../src/util/exec.js';
import { statePaths } from '../../src/util/state-dir.js';
import { tamperPayload, tempDir } from './helpers.js';

const host = (name: string, recipient: string, baselines: string) =>
  `apiVersion: gitfleet/v1\nkind: Host\nname: ${name}\nos: linux\narch: x64\nbaselines: [${baselines}]\nsandboxes: {py: {template: venv}}\nrecipient: ${recipient}\n`;
const block = (v: string) => `|\n${v.trimEnd().split('\n').map((l) => `      ${l}`).join('\n')}\n`;
const secretsDoc = (h: string, values: Record<string, string>) =>
  `apiVersion: gitfleet/v1\nkind: Secrets\nname: ${h}\nsecrets:\n${Object.entries(values).map(([k, v]) => `  ${k}:\n    value: ${block(v)}`).join('')}`;

async function revision(files: Record<string, string>) {
  const v = await validateMemory({
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\n',
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'baselines/py.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\nsources: {pip: {indexUrl: "https://pkgs.example.com/simple/", credentials: {secret: IDX}}}\npackages: {pip: {alpha: "1.0.0"}}\n',
    'baselines/js.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: js\nsources: {npm: {registry: "https://npm.example.com/", credentials: {secret: NPM}}}\npackages: {npm: {left-pad: "1.3.0"}}\n',
    ...files,
  });
  expect(v.diagnostics).toEqual([]);
  return { model: v.model, desired: resolveHost(v.model, 'h1').host! };
}

async function setup() {
  const state = join(await tempDir(), 'state');
  const h1 = await createIdentity({ path: statePaths(state).identity, runner: execRunner });
  const h2 = await newIdentity();
  return { state, h1, h2, enc: (v: string, to = [h1.recipient]) => encryptValue(v, to) };
}

async function reporter(state: string) {
  const events: AnyEvent[] = [];
  const log = pino({ level: 'silent' });
  const bus = new EventBus({ host: 'h1', log, sinks: [{ name: 'capture', write: (e) => { events.push(e); } }] });
  const audit = await AuditLog.open(statePaths(state).audit);
  const lines = async () => (await readFile(statePaths(state).audit, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: unknown });
  return { report: { audit, log, bus }, events, lines, close: async () => { await bus.close(); await audit.close(); } };
}

describe('sourceSecrets', () => {
  it('names the keys of the host\'s sources, across targets and managers', async () => {
    const { h1, enc } = await setup();
    const { desired } = await revision({ 'hosts/h1.yaml': host('h1', h1.recipient, 'py, js'), 'secrets/h1.yaml': secretsDoc('h1', { IDX: await enc('i'), NPM: await enc('n') }) });
    expect(referencedKeys(desired)).toEqual(['IDX', 'NPM']);
  });

  it('decrypts only the named keys of this host\'s file; values come from the revision, not the store, until written', async () => {
    const { state, h1, h2, enc } = await setup();
    // An unnamed key of h1 and h2's whole file are broken: touching either would show up as an error.
    const { model, desired } = await revision({
      'hosts/h1.yaml': host('h1', h1.recipient, 'py'), 'hosts/h2.yaml': host('h2', h2.recipient, 'py'),
      'secrets/h1.yaml': secretsDoc('h1', { IDX: await enc('tok-2'), UNNAMED: tamperPayload(await enc('x')) }),
      'secrets/h2.yaml': secretsDoc('h2', { IDX: tamperPayload(await enc('h2-tok', [h1.recipient, h2.recipient])) }),
    });
    // The store has an older value (a rotation in this revision) and a key no source names.
    await mkdir(statePaths(state).secrets, { recursive: true, mode: 0o700 });
    await writeFile(join(statePaths(state).secrets, 'IDX'), 'tok-1', { mode: 0o600 });
    await writeFile(join(statePaths(state).secrets, 'OTHER'), 'other', { mode: 0o600 });
    const s = await sourceSecrets({ model, desired, stateDir: state });
    expect(s.keys).toEqual(['IDX']);
    expect(await s.lookup('IDX')).toBe('tok-2');
    expect(await s.lookup('OTHER')).toBe('other');
    expect(await s.lookup('NONE')).toBeUndefined();
    // Nothing written yet: a dry run or a gated run ends here.
    expect(await readFile(join(statePaths(state).secrets, 'IDX'), 'utf8')).toBe('tok-1');

    const r = await reporter(state);
    try {
      expect(await s.materialize(r.report)).toEqual({ written: ['IDX'], created: [], removed: [], envWritten: [], envRemoved: [], errors: [] });
      // Written, not yet in effect: the event waits for the apply's success (materializeAfterApply).
      expect(r.events).toEqual([]);
      // exactly the named key: nothing pruned, nothing else written
      expect((await readdir(statePaths(state).secrets)).sort()).toEqual(['IDX', 'OTHER']);
      expect(await readFile(join(statePaths(state).secrets, 'IDX'), 'utf8')).toBe('tok-2');
      expect((await stat(join(statePaths(state).secrets, 'IDX'))).mode & 0o777).toBe(0o600);
      expect((await s.materialize(r.report)).written).toEqual([]);
      expect((await r.lines()).filter((l) => l.type.startsWith('secret.')).map(({ type, data }) => ({ type, data }))).toEqual([{ type: 'secret.materialized', data: { key: 'IDX' } }]);
      expect(JSON.stringify([r.events, await r.lines()])).not.toMatch(/tok-|h2-tok/);
    } finally {
      await r.close();
    }
  });

  it('restore puts back what materialize replaced (a rotated key\'s old value, no file for a created key), once, audited by key', async () => {
    const { state, h1, enc } = await setup();
    const { model, desired } = await revision({ 'hosts/h1.yaml': host('h1', h1.recipient, 'py, js'), 'secrets/h1.yaml': secretsDoc('h1', { IDX: await enc('tok-2'), NPM: await enc('npm-1') }) });
    await mkdir(statePaths(state).secrets, { recursive: true, mode: 0o700 });
    await writeFile(join(statePaths(state).secrets, 'IDX'), 'tok-1', { mode: 0o600 });
    const s = await sourceSecrets({ model, desired, stateDir: state });
    const r = await reporter(state);
    try {
      expect(await s.restore(r.report)).toEqual([]); // nothing written yet: nothing to put back
      expect(await s.materialize(r.report)).toMatchObject({ written: ['IDX', 'NPM'], created: ['NPM'] });
      expect(await s.materialize(r.report)).toMatchObject({ written: [] }); // a second call must not forget the first old value
      expect((await s.restore(r.report)).sort()).toEqual(['IDX', 'NPM']);
      expect(await readFile(join(statePaths(state).secrets, 'IDX'), 'utf8')).toBe('tok-1');
      expect((await stat(join(statePaths(state).secrets, 'IDX'))).mode & 0o777).toBe(0o600);
      expect(await readdir(statePaths(state).secrets)).toEqual(['IDX']);
      expect(await s.restore(r.report)).toEqual([]);
      expect(r.events).toEqual([]);
      const secretLines = (await r.lines()).filter((l) => l.type.startsWith('secret.')).map(({ type, data }) => ({ type, data }));
      expect(secretLines).toEqual([
        { type: 'secret.materialized', data: { key: 'IDX' } }, { type: 'secret.materialized', data: { key: 'NPM' } },
        { type: 'secret.restored', data: { key: 'IDX' } }, { type: 'secret.restored', data: { key: 'NPM' } },
      ]);
      expect(JSON.stringify(await r.lines())).not.toMatch(/tok-|npm-1/);
    } finally {
      await r.close();
    }
  });

  it.each([
    ['encrypted to another host only', async (o: Awaited<ReturnType<typeof setup>>) => o.enc('v', [o.h2.recipient]), /could not be decrypted on this host: the value is not encrypted to this host's identity.*\[secret\.wrong-key\]/],
    ['tampered with', async (o: Awaited<ReturnType<typeof setup>>) => tamperPayload(await o.enc('v')), /could not be decrypted on this host: the ciphertext failed authentication.*\[secret\.tampered\]/],
  ])('a named key %s: lookup throws naming the key and what needs it; materialize keeps the store as it was', async (_n, value, why) => {
    const o = await setup();
    const { model, desired } = await revision({ 'hosts/h1.yaml': host('h1', o.h1.recipient, 'py, js'), 'secrets/h1.yaml': secretsDoc('h1', { IDX: await value(o), NPM: await o.enc('npm-tok') }) });
    await mkdir(statePaths(o.state).secrets, { recursive: true, mode: 0o700 });
    await writeFile(join(statePaths(o.state).secrets, 'IDX'), 'old', { mode: 0o600 });
    const s = await sourceSecrets({ model, desired, stateDir: o.state });
    const err = await s.lookup('IDX').then(() => undefined, (e: unknown) => e as Error & { code: string });
    expect(err?.code).toBe('E_VALIDATION');
    expect(err?.message).toMatch(/^secret "IDX" of secrets\/h1\.yaml, named by sources\.pip\.credentials of sandbox:py, could not be decrypted/);
    expect(err?.message).toMatch(why);
    expect(await s.lookup('NPM')).toBe('npm-tok');
    const r = await reporter(o.state);
    try {
      expect((await s.materialize(r.report)).written).toEqual(['NPM']);
    } finally {
      await r.close();
    }
    expect(await readFile(join(statePaths(o.state).secrets, 'IDX'), 'utf8')).toBe('old');
  });

  it('no identity on the host: every named key throws saying so', async () => {
    const o = await setup();
    const { model, desired } = await revision({ 'hosts/h1.yaml': host('h1', o.h1.recipient, 'py'), 'secrets/h1.yaml': secretsDoc('h1', { IDX: await o.enc('v') }) });
    const s = await sourceSecrets({ model, desired, stateDir: o.state, identityPath: join(o.state, 'missing.age') });
    await expect(s.lookup('IDX')).rejects.toThrow(/secret "IDX" .*could not be decrypted on this host: this host's identity could not be used: /);
  });

  it('no named keys: age is not needed and nothing is written', async () => {
    const o = await setup();
    const { model, desired } = await revision({ 'hosts/h1.yaml': host('h1', o.h1.recipient, '') , 'secrets/h1.yaml': secretsDoc('h1', { IDX: await o.enc('v') }) });
    const s = await sourceSecrets({ model, desired, stateDir: o.state, identityPath: join(o.state, 'missing.age') });
    expect(s.keys).toEqual([]);
    expect(await s.lookup('IDX')).toBeUndefined();
    const r = await reporter(o.state);
    try {
      expect((await s.materialize(r.report)).written).toEqual([]);
    } finally {
      await r.close();
    }
    await expect(readdir(statePaths(o.state).secrets)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
