import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandError, execRunner, runChecked } from '../../src/util/exec.js';
import { applyHost } from '../../src/apply/run.js';
import { statePaths } from '../../src/util/state-dir.js';
import { pipEnv } from '../helpers/wheels.js';
import { applyFixture, type ApplyFixture } from './fixture.js';

let f: ApplyFixture;

async function pipVersions(): Promise<Record<string, string>> {
  const res = await runChecked(execRunner, { file: join(f.state, 'sandboxes/py/bin/python'), args: ['-m', 'pip', 'list', '--format=json'], env: pipEnv() });
  return Object.fromEntries((JSON.parse(res.stdout) as { name: string; version: string }[]).filter((p) => !['pip', 'setuptools'].includes(p.name)).map((p) => [p.name, p.version]));
}

async function banner(): Promise<string> {
  return (JSON.parse(await readFile(join(f.state, 'sandboxes/node/lib/node_modules/banner/package.json'), 'utf8')) as { version: string }).version;
}

/** Runs an apply in a child process that SIGKILLs itself after batch `n`. */
async function crashAfter(n: number) {
  const o = f.options();
  const json = JSON.stringify({ host: o.host, repo: o.repo, stateDir: o.stateDir, env: o.env, batchTimeoutMs: o.batchTimeoutMs });
  const err = await execRunner.run({ file: process.execPath, args: [join(import.meta.dirname, 'crash-child.mjs'), json, String(n)], timeoutMs: 120_000 }).then(
    (res) => new Error(`the child did not crash: exit ${res.exitCode}, ${res.stdout} ${res.stderr}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CommandError);
  expect((err as CommandError).signal).toBe('SIGKILL');
}

beforeAll(async () => {
  f = await applyFixture();
  await f.repo.commit(f.files({ pip: { alpha: '1.0.0', beta: '2.0.0' }, npm: { banner: '1.0.0' } }));
  expect((await applyHost(f.options())).result?.status).toBe('applied');
}, 180_000);

afterAll(async () => {
  await rm(f.tmp, { recursive: true, force: true });
});

describe('kill -9 in the middle of an apply', () => {
  it('leaves a journal; the next run rolls the half-applied change back, then applies it whole', async () => {
    await f.repo.commit(f.files({ pip: { alpha: '1.1.0', beta: '2.1.0' }, npm: { banner: '1.1.0' } }));
    // Batch 1 is npm in sandbox:node, batch 2 pip in sandbox:py: die after the first.
    await crashAfter(1);
    const journal = JSON.parse(await readFile(statePaths(f.state).journal, 'utf8'));
    expect(journal.status).toBe('running');
    expect(journal.batches.map((b: { state: string }) => b.state)).toEqual(['done', 'pending']);
    expect(await banner()).toBe('1.1.0'); // half applied
    expect(await pipVersions()).toEqual({ alpha: '1.0.0', beta: '2.0.0' });

    // A dry run changes nothing: the journal and the half-applied host stay for the real run.
    const dry = await applyHost(f.options(), { dryRun: true });
    expect(dry).toMatchObject({ skipped: 'dry-run', pendingRecovery: true });
    expect(dry.recovered).toBeUndefined();
    expect(JSON.parse(await readFile(statePaths(f.state).journal, 'utf8')).id).toBe(journal.id);
    expect(await banner()).toBe('1.1.0');

    const out = await applyHost(f.options());
    expect(out.recovered).toBe('rolled-back');
    expect(out.result?.status).toBe('applied');
    expect(await banner()).toBe('1.1.0');
    expect(await pipVersions()).toEqual({ alpha: '1.1.0', beta: '2.1.0' });
    const events = (await readFile(statePaths(f.state).events, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { topic: string; payload: { reason?: string } });
    expect(events.some((e) => e.topic === 'infrastructure.update.rolled_back' && e.payload.reason === 'recovered an interrupted apply')).toBe(true);
  });

  it('a crash after the last batch (before the health checks and inventory) is recovered too', async () => {
    await f.repo.commit(f.files({ pip: { alpha: '1.0.0', beta: '2.1.0' }, npm: { banner: '1.0.0' } }));
    await crashAfter(2);
    const out = await applyHost(f.options());
    expect(out.recovered).toBe('rolled-back');
    expect(out.result?.status).toBe('applied');
    expect(await banner()).toBe('1.0.0');
    expect(await pipVersions()).toEqual({ alpha: '1.0.0', beta: '2.1.0' });
  });
});
