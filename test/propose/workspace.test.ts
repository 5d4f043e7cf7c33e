// openWorkspace with real git: a remote URL that carries a token never reaches an error message or a log line.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { openWorkspace } from '../../src/propose/workspace.js';
import { execRunner, type Runner } from '../../src/util/exec.js';
import { testRepo } from '../helpers/git.js';

const TOKEN = 'ghp_workspaceUrlT0ken000000000000000000';
const URL = 'https://git.example.com/acme/fleet.git';
const WITH_TOKEN = URL.replace('https://', `https://x-access-token:${TOKEN}@`);

/** The error as the logger writes it (pino serializes the cause chain too). */
function logged(err: unknown): string {
  const lines: string[] = [];
  pino({ level: 'debug' }, { write: (l: string) => { lines.push(l); } }).error({ err }, 'proposal failed');
  return lines.join('');
}

describe('openWorkspace', () => {
  it('clones, fetches and keeps the remote as given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitfleet-ws-'));
    const repo = await testRepo(join(dir, 'repo'));
    const sha = await repo.commit({ 'fleet.yaml': 'x: 1\n' });
    const ws = await openWorkspace(execRunner, repo.remote, join(dir, 'ws'), 'main');
    expect(ws).toEqual({ dir: join(dir, 'ws'), remote: repo.remote, base: 'main' });
    expect((await execRunner.run({ file: 'git', args: ['-C', ws.dir, 'rev-parse', 'refs/remotes/origin/main'] })).stdout.trim()).toBe(sha);
  });

  it('a failed `git remote set-url` names the URL without its token, in the message and in the log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitfleet-ws-'));
    // `.git` is there but is no repository: set-url fails for real
    await mkdir(join(dir, 'ws', '.git'), { recursive: true });
    const err = await openWorkspace(execRunner, WITH_TOKEN, join(dir, 'ws'), 'main').then(() => { throw new Error('it did not fail'); }, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'E_GIT', message: expect.stringMatching(new RegExp(`^cannot set the remote of the proposal workspace .* to ${URL}: .*not a git repository`)) });
    expect(logged(err)).not.toContain(TOKEN);
  });

  it('a failed `git remote add` that printed nothing names the URL without its token (not the command line)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitfleet-ws-'));
    // The real runner, except that `remote add` dies silently (as on a full disk, a killed process).
    const runner: Runner = {
      run: async (cmd) => (cmd.args.includes('remote') && cmd.args.includes('add') ? { command: cmd, exitCode: 255, stdout: '', stderr: '', durationMs: 1 } : execRunner.run(cmd)),
    };
    const err = await openWorkspace(runner, WITH_TOKEN, join(dir, 'ws'), 'main').then(() => { throw new Error('it did not fail'); }, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'E_GIT', message: expect.stringContaining(`to ${URL}: `) });
    expect(err.message).toMatch(/remote add origin https:\/\/git\.example\.com\/acme\/fleet\.git exited with 255/);
    expect(`${err.message}${logged(err)}`).not.toContain(TOKEN);
  });
});
