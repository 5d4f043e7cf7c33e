// The apply hook's events say what is in effect on the host: a first value is `created`, a changed one `rotated`,
// an unchanged one nothing; never a value.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { smallFleet, validateMemory } from '../helpers/fleet.js';
import { encryptValue } from '../../src/secrets/age.js';
import { createIdentity } from '../../src/secrets/identity.js';
import { materializeAfterApply } from '../../src/secrets/apply-hook.js';
import { AuditLog } from '../../src/events/audit.js';
import { EventBus } from '../../src/events/bus.js';
import type { AnyEvent } from '../../src/events/types.js';
import { resolveHost } from '../../src/fleet/resolve.js';
import { execRunner } from '../../src/util/exec.js';
import { statePaths } from '../../src/util/state-dir.js';
import { tempDir } from './helpers.js';

const hostDoc = (recipient: string) => `apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nrecipient: ${recipient}\n`;
const secretsDoc = (values: Record<string, string>) =>
  `apiVersion: gitfleet/v1\nkind: Secrets\nname: h1\nsecrets:\n${Object.entries(values).map(([k, v]) => `  ${k}:\n    value: |\n${v.trimEnd().split('\n').map((l) => `      ${l}`).join('\n')}\n`).join('')}`;

describe('materializeAfterApply events', () => {
  it('created for a first value, rotated for a changed one, nothing for an unchanged or removed one', async () => {
    const dir = await tempDir();
    const state = join(dir, 'state');
    const h1 = await createIdentity({ path: statePaths(state).identity, runner: execRunner });
    const events: AnyEvent[] = [];
    const log = pino({ level: 'silent' });
    const bus = new EventBus({ host: 'h1', log, sinks: [{ name: 'capture', write: (e) => { events.push(e); } }] });
    const audit = await AuditLog.open(statePaths(state).audit);
    const round = async (values: Record<string, string>) => {
      const enc: Record<string, string> = {};
      for (const [k, v] of Object.entries(values)) enc[k] = await encryptValue(v, [h1.recipient]);
      const v = await validateMemory({ ...smallFleet(), 'hosts/h1.yaml': hostDoc(h1.recipient), 'secrets/h1.yaml': secretsDoc(enc) });
      expect(v.diagnostics).toEqual([]);
      const desired = resolveHost(v.model, 'h1').host!;
      events.length = 0;
      await materializeAfterApply({ model: v.model, desired, stateDir: state, audit, log, bus: bus.withRevision('rev') });
      return events.map((e) => [e.topic, e.payload]);
    };
    try {
      expect(await round({ A: 'a-1', B: 'b-1' })).toEqual([
        ['infrastructure.secret.created', { key: 'A' }], ['infrastructure.secret.created', { key: 'B' }],
      ]);
      expect(await round({ A: 'a-1', B: 'b-2', C: 'c-1' })).toEqual([
        ['infrastructure.secret.rotated', { key: 'B' }], ['infrastructure.secret.created', { key: 'C' }],
      ]);
      expect(await round({ A: 'a-1', C: 'c-1' })).toEqual([]);
      expect(JSON.stringify(events)).not.toMatch(/[abc]-[12]/);
    } finally {
      await bus.close();
      await audit.close();
    }
  });
});
