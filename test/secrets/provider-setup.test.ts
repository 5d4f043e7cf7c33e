// Admin reporting of `secret set|rotate|rekey --state-dir DIR`: the events and audit files land in DIR, made if needed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { adminReporting } from '../../src/secrets/provider-setup.js';
import { tempDir } from './helpers.js';

describe('adminReporting', () => {
  it('creates a state directory that does not exist yet', async () => {
    const state = join(await tempDir(), 'not', 'yet');
    const rep = await adminReporting('h1', pino({ level: 'silent' }), state);
    rep.bus.emit('infrastructure.secret.proposed', { key: 'K', change: 'create' });
    await rep.audit?.append('secret.set', { host: 'h1', key: 'K', by: 't' });
    await rep.close();
    expect(await readFile(join(state, 'audit.jsonl'), 'utf8')).toContain('"key":"K"');
    expect(await readFile(join(state, 'events.ndjson'), 'utf8')).toContain('infrastructure.secret.proposed');
  });
});
