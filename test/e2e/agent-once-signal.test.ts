import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { statePaths } from '../../src/util/state-dir.js';
import { agentFixture, fleetFiles } from '../agent/helpers.js';

// Runs the built CLI (npm test builds first).
const BIN = join(import.meta.dirname, '../../bin/gitfleet.js');

describe('agent --once and SIGTERM', () => {
  it('a SIGTERM in the middle of the cycle lets it finish its work and exit 0, leaving no journal', async () => {
    const fx = await agentFixture();
    await fx.repo.commit(fleetFiles({ health: ['sleep', '2'] }));
    const state = fx.state();
    const child = spawn(process.execPath, [BIN, 'agent', '--once', '--no-http', '--repo', fx.repo.remote, '--host', 'h1', '--state-dir', state], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const started = Date.now();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    // Wait until the apply is under way (its sandbox exists), then ask it to stop.
    for (let i = 0; i < 200; i++) {
      if (await access(join(state, 'sandboxes/s1')).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000); // the health check was not cut short
    expect(out).toMatch(/^h1: healthy at [0-9a-f]{12}/);
    await expect(access(statePaths(state).journal)).rejects.toThrow();
    expect(JSON.parse(await readFile(statePaths(state).status, 'utf8')).health).toBe('healthy');
  }, 60_000);
});
