import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { findCommand } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';

describe('command lookup', () => {
  // main loads only src/cli/<name>.ts for a command: the others' libraries stay unloaded (start-up time).
  it.each(commands.map((c) => [c.name, c] as const))('%s lives in src/cli/<name>.ts and is found', async (name, cmd) => {
    const mod = (await import(`../../src/cli/${name}.ts`)) as Record<string, unknown>;
    expect(Object.values(mod)).toContain(cmd);
    expect(await findCommand(name)).toBe(cmd); // (under vitest via the registry: vite cannot map a variable .js import to .ts)
  });

  it.each(['nope', 'args', 'main', 'commands', 'host-flags', '../cli/apply', 'APPLY'])('%s is not a command', async (name) => {
    expect(await findCommand(name)).toBeUndefined();
  });

  it('an unknown command exits 1 and lists every command', async () => {
    const { code, err } = await runCli(['nope'], { env: {} });
    expect(code).toBe(1);
    expect(err).toContain('unknown command "nope"');
    for (const c of commands) expect(err).toContain(c.name);
  });
});
