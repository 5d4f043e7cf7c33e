import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describe as show, execRunner, type Command, type CommandResult, type Runner } from '../../src/util/exec.js';
import type { DesiredSandbox } from '../../src/sandboxes/types.js';

/** A temp dir removed after the file's tests. */
export async function tempDir(prefix = 'gf-sb-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A desired sandbox with defaults. */
export function sandbox(over: Partial<DesiredSandbox> & Pick<DesiredSandbox, 'type' | 'path'>): DesiredSandbox {
  return { name: 'trainer', template: 'python-ml', env: {}, secrets: [], ...over };
}

/** ISO time passed to create. */
export const NOW = '2025-01-02T03:04:05.000Z';

/**
 * A runner for tools that cannot run here (a docker engine, wsl.exe): it answers only the commands it was told about,
 * in any order, and fails the test loudly on any other.
 */
export function scriptedRunner(script: Record<string, Partial<CommandResult>>): Runner & { calls: Command[] } {
  const calls: Command[] = [];
  return {
    calls,
    async run(cmd) {
      calls.push(cmd);
      const key = show({ file: cmd.file, args: cmd.args });
      const answer = script[key];
      if (!answer) throw new Error(`scripted runner: unexpected command ${key}`);
      return { command: cmd, exitCode: 0, stdout: '', stderr: '', durationMs: 1, ...answer };
    },
  };
}

/**
 * What docker is on this host: this kind of machine has the CLI and no engine, which the "for real" tests of
 * the no-engine path need; a CI runner with an engine (GitHub's ubuntu-latest) or without the CLI skips them.
 */
export async function dockerOnThisHost(): Promise<'engine' | 'cli-only' | 'absent'> {
  const res = await execRunner.run({ file: 'docker', args: ['info', '--format', '{{.ServerVersion}}'], timeoutMs: 20_000 }).catch(() => undefined);
  if (res === undefined || (res.exitCode !== 0 && /ENOENT|not found/i.test(res.stderr))) return 'absent';
  return res.exitCode === 0 ? 'engine' : 'cli-only';
}
