// Reading the host's store: exactly what materializeSecrets wrote, undefined for a key it does not have.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smallFleet, validateMemory } from '../helpers/fleet.js';
import { encryptValue } from '../../src/secrets/age.js';
import { createIdentity } from '../../src/secrets/identity.js';
import { materializeSecrets } from '../../src/secrets/materialize.js';
import { storeLookup } from '../../src/secrets/read.js';
import { execRunner } from '../../src/util/exec.js';
import { statePaths } from '../../src/util/state-dir.js';
import { tempDir } from './helpers.js';

describe('storeLookup', () => {
  it('reads a materialized value byte for byte; a key the store lacks is undefined', async () => {
    const state = join(await tempDir(), 'state');
    const id = await createIdentity({ path: statePaths(state).identity, runner: execRunner });
    const value = 'deploy:tok/with:colon\n';
    const v = await validateMemory({
      ...smallFleet(),
      'hosts/h1.yaml': `apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nrecipient: ${id.recipient}\n`,
      'secrets/h1.yaml': `apiVersion: gitfleet/v1\nkind: Secrets\nname: h1\nsecrets:\n  IDX_TOKEN:\n    value: |\n${(await encryptValue(value, [id.recipient])).trimEnd().split('\n').map((l) => `      ${l}`).join('\n')}\n`,
    });
    expect(v.diagnostics).toEqual([]);
    expect((await materializeSecrets({ model: v.model, host: 'h1', stateDir: state, sandboxes: [] })).written).toEqual(['IDX_TOKEN']);
    const lookup = storeLookup(statePaths(state).secrets);
    expect(await lookup('IDX_TOKEN')).toBe(value);
    expect(await lookup('NOT_THERE')).toBeUndefined();
  });

  it('refuses a key that could name another file; an unreadable file is an error naming the key, not its content', async () => {
    const store = join(await tempDir(), 'secrets');
    await mkdir(store, { recursive: true });
    const lookup = storeLookup(store);
    await expect(lookup('../identity.age')).rejects.toMatchObject({ code: 'E_USAGE' });
    // A folder where a value file should be: reading it fails with EISDIR.
    await mkdir(join(store, 'ODD'));
    await expect(lookup('ODD')).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining('secret "ODD"') });
    await writeFile(join(store, 'OK'), 'v');
    await chmod(join(store, 'OK'), 0o600);
    expect(await lookup('OK')).toBe('v');
  });
});
