// Real git repositories for tests: a bare "remote" and a work tree that commits to it.
import { mkdir, writeFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execRunner, runChecked } from '../../src/util/exec.js';

const ENV = {
  GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

/** Runs git in `cwd` and returns stdout trimmed. */
export async function git(cwd: string, args: string[]): Promise<string> {
  return (await runChecked(execRunner, { file: 'git', args, cwd, env: ENV })).stdout.trim();
}

/** A bare repository `remote` and a clone `work` that pushes to it. */
export interface TestRepo {
  remote: string;
  work: string;
  /** Writes files (path → text, or null to delete), commits them and pushes; returns the new SHA. */
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
}

/** Makes a bare repository with a work tree beside it, under `dir`. */
export async function testRepo(dir: string): Promise<TestRepo> {
  const remote = join(dir, 'remote.git');
  const work = join(dir, 'work');
  await mkdir(dir, { recursive: true });
  await git(dir, ['init', '-q', '--bare', '-b', 'main', remote]);
  await git(dir, ['init', '-q', '-b', 'main', work]);
  await git(work, ['remote', 'add', 'origin', remote]);
  return {
    remote, work,
    async commit(files, message = 'change') {
      for (const [p, text] of Object.entries(files)) {
        const abs = join(work, p);
        if (text === null) await rm(abs, { force: true });
        else {
          await mkdir(dirname(abs), { recursive: true });
          await writeFile(abs, text);
        }
      }
      await git(work, ['add', '-A']);
      await git(work, ['commit', '-q', '--allow-empty', '-m', message]);
      await git(work, ['push', '-q', 'origin', 'HEAD:main']);
      return git(work, ['rev-parse', 'HEAD']);
    },
  };
}
