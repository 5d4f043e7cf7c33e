// Decrypting and materializing 500 secrets on a host (target: under 1 s): a first run into an empty store,
// and a run where every value is unchanged (decrypt and compare only).
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { timeFn } from './lib.js';
import { encryptValue } from '../dist/secrets/age.js';
import { createIdentity } from '../dist/secrets/identity.js';
import { materializeSecrets } from '../dist/secrets/materialize.js';
import { newIdentity } from '../dist/secrets/age.js';
import { execRunner } from '../dist/util/exec.js';
import { statePaths } from '../dist/util/state-dir.js';

const N = 500;
const TARGET_MS = 1000;

export async function bench({ tmpDir, log }) {
  const root = await mkdtemp(join(tmpDir, 'secrets-'));
  const identityPath = join(root, 'identity.age');
  const host = await createIdentity({ path: identityPath, runner: execRunner });
  const admin = await newIdentity();
  log(`encrypting ${N} values to the host and one admin`);
  const secrets = {};
  for (let i = 0; i < N; i++) secrets[`KEY_${String(i).padStart(3, '0')}`] = { value: await encryptValue(`value-${i}-${'x'.repeat(24)}`, [host.recipient, admin.recipient]) };
  // Only `secrets` of the model is read by materializeSecrets.
  const model = { secrets: new Map([['h1', { value: { apiVersion: 'gitfleet/v1', kind: 'Secrets', name: 'h1', secrets } }]]) };
  const run = async (stateDir) => {
    const r = await materializeSecrets({ model, host: 'h1', stateDir, identityPath, sandboxes: [{ name: 'app', path: join(stateDir, 'sandboxes', 'app'), secrets: ['KEY_000', 'KEY_001'] }] });
    if (r.errors.length) throw new Error(`materialize failed: ${r.errors[0].code}`);
    return r;
  };
  let k = 0;
  const cold = await timeFn(async () => {
    const dir = join(root, `state-${k++}`);
    const r = await run(dir);
    if (r.written.length !== N) throw new Error(`wrote ${r.written.length}`);
  });
  const warmDir = join(root, 'warm');
  await run(warmDir);
  const warm = await timeFn(async () => {
    const r = await run(warmDir);
    if (r.written.length !== 0) throw new Error('unchanged values were rewritten');
  });
  await rm(statePaths(root).dir, { recursive: true, force: true });
  return [
    { area: 'secrets', case: `decrypt + materialize ${N} secrets, empty store (median of 5)`, value: Math.round(cold), unit: 'ms', target: TARGET_MS, ok: cold < TARGET_MS },
    { area: 'secrets', case: `decrypt + materialize ${N} secrets, all unchanged (median of 5)`, value: Math.round(warm), unit: 'ms', target: TARGET_MS, ok: warm < TARGET_MS },
  ];
}
