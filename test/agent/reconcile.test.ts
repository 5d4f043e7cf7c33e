import { afterEach, describe, expect, it } from 'vitest';
import { readFile, rm, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { agentFixture, fleetFiles, type AgentFixture, startCycling, statusOf } from './helpers.js';
import { type RunningAgent } from '../../src/agent/loop.js';
import type { AgentOptions } from '../../src/agent/loop.js';
import { git } from '../helpers/git.js';
import { gpgHome, importKey, makeKey, removeGpgHomes, signedCommit } from '../source/gpg-keys.js';
import { execRunner, runChecked } from '../../src/util/exec.js';
import { reconcile } from '../../src/agent/reconcile.js';
import { emptyMemory } from '../../src/agent/memory.js';
import { publishStatus } from '../../src/report/publish.js';
import { makeStatus } from '../report/helpers.js';
import { pino } from 'pino';

const running: RunningAgent[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

async function start(fx: AgentFixture, over: Partial<AgentOptions> = {}) {
  return startCycling({ ...fx.options(), watch: false, ...over }, running);
}

const exists = (p: string) => stat(p).then(() => true, () => false);

describe('reconcile', () => {
  it('applies a commit, then a no-op cycle runs only git ls-remote', async () => {
    const fx = await agentFixture();
    const sha = await fx.repo.commit(fleetFiles());
    const { agent, first, cycle } = await start(fx);
    expect(first).toMatchObject({ kind: 'full', result: 'ok', head: sha });
    expect(await exists(join(fx.state(), 'sandboxes/s1'))).toBe(true);
    const s = await statusOf(fx.state());
    expect(s).toMatchObject({ host: 'h1', health: 'healthy', revision: { applied: sha, attempted: null }, wave: 'canary', drift: 0, lastError: null });
    expect(s.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'ReconciliationSucceeded' });
    // The first cycle published the status under the host's own ref.
    expect(await git(fx.repo.work, ['ls-remote', fx.repo.remote, 'refs/gitfleet/status/h1'])).toMatch(/refs\/gitfleet\/status\/h1$/);

    fx.runner.reset();
    const noop = await cycle();
    expect(noop).toMatchObject({ kind: 'noop', result: 'noop', head: sha });
    expect(fx.runner.gitVerbs()).toEqual(['ls-remote']);
    expect(agent.status()?.agent.cycles).toBe(2);
    expect((await statusOf(fx.state())).agent.cycles).toBe(2); // status.json is written every cycle

    // A new commit is a full cycle again.
    const sha2 = await fx.repo.commit(fleetFiles({ hosts: [{ name: 'h1', sandboxes: ['s1', 's2'] }] }));
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', head: sha2 });
    expect(await exists(join(fx.state(), 'sandboxes/s2'))).toBe(true);
  });

  it('never applies an invalid revision, stays on the last good one, does not retry it, then applies a fix', async () => {
    const fx = await agentFixture();
    const good = await fx.repo.commit(fleetFiles());
    const { cycle } = await start(fx);
    const bad = await fx.repo.commit({ ...fleetFiles({ hosts: [{ name: 'h1', sandboxes: ['s1', 's2'] }] }), 'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: plan9\narch: x64\npolicies: [p]\nsandboxes: {s1: {template: node}, s2: {template: node}}\n' });
    expect(await cycle()).toMatchObject({ result: 'invalid', head: bad });
    expect(await exists(join(fx.state(), 'sandboxes/s2'))).toBe(false);
    const s = await statusOf(fx.state());
    expect(s.health).toBe('degraded');
    expect(s.revision).toMatchObject({ applied: good, attempted: bad });
    expect(s.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ValidationFailed' });
    expect(s.lastError?.code).toBe('ValidationFailed');
    expect(s.lastError?.message).toMatch(/hosts\/h1\.yaml:\d+:\d+/);
    const invalid = fx.events.filter((e) => e.topic === 'infrastructure.config.invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]?.payload).toMatchObject({ revision: bad });
    expect(fx.events.some((e) => e.topic === 'infrastructure.host.status_changed' && e.payload.to === 'degraded')).toBe(true);
    // The checkout stayed on the last good revision.
    expect(await git(join(fx.state(), 'checkout'), ['rev-parse', 'HEAD'])).toBe(good);

    fx.runner.reset();
    expect(await cycle()).toMatchObject({ kind: 'noop' });
    expect(fx.runner.gitVerbs()).toEqual(['ls-remote']);

    const fixed = await fx.repo.commit(fleetFiles({ hosts: [{ name: 'h1', sandboxes: ['s1', 's2'] }] }));
    expect(await cycle()).toMatchObject({ result: 'ok', head: fixed });
    expect(await statusOf(fx.state())).toMatchObject({ health: 'healthy', revision: { applied: fixed, attempted: null }, lastError: null });
    expect(await exists(join(fx.state(), 'sandboxes/s2'))).toBe(true);
  });

  it('refuses a force-push that rewrites history, and follows it with allowForcePush', async () => {
    const fx = await agentFixture();
    const base = await fx.repo.commit(fleetFiles());
    const applied = await fx.repo.commit(fleetFiles({ hosts: [{ name: 'h1', sandboxes: ['s1', 's2'] }] }));
    const { cycle } = await start(fx);
    await git(fx.repo.work, ['reset', '-q', '--hard', base]);
    await writeFile(join(fx.repo.work, 'hosts/h1.yaml'), fleetFiles({ hosts: [{ name: 'h1', sandboxes: ['s1', 's3'] }] })['hosts/h1.yaml']!);
    await git(fx.repo.work, ['commit', '-q', '-am', 'rewritten']);
    await git(fx.repo.work, ['push', '-q', '--force', 'origin', 'HEAD:main']);
    const rewritten = await git(fx.repo.work, ['rev-parse', 'HEAD']);
    expect(await cycle()).toMatchObject({ result: 'rejected', head: rewritten });
    const s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'degraded', revision: { applied } });
    expect(s.conditions.find((c) => c.type === 'SourceReady')).toMatchObject({ status: 'False', reason: 'HistoryRewritten' });
    expect(await exists(join(fx.state(), 'sandboxes/s3'))).toBe(false);
    running.pop(); // restart with the flag
    const again = await start(fx, { ctx: { ...fx.ctx(), allowForcePush: true } });
    expect(again.first).toMatchObject({ result: 'ok', head: rewritten });
    expect(await exists(join(fx.state(), 'sandboxes/s3'))).toBe(true);
  });

  it('with a signer trust, follows an SSH-signed head and refuses an unsigned one', async () => {
    const fx = await agentFixture();
    const key = join(fx.tmp, 'signer');
    await runChecked(execRunner, { file: 'ssh-keygen', args: ['-q', '-t', 'ed25519', '-N', '', '-C', 'ops@example.invalid', '-f', key] });
    const allowed = join(fx.tmp, 'allowed_signers');
    await writeFile(allowed, `test@example.invalid ${(await readFile(`${key}.pub`, 'utf8')).trim()}\n`);
    for (const [p, t] of Object.entries(fleetFiles())) {
      await runChecked(execRunner, { file: 'mkdir', args: ['-p', join(fx.repo.work, p, '..')] });
      await writeFile(join(fx.repo.work, p), t);
    }
    await git(fx.repo.work, ['add', '-A']);
    await git(fx.repo.work, ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`, 'commit', '-q', '-S', '-m', 'signed']);
    await git(fx.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    const signed = await git(fx.repo.work, ['rev-parse', 'HEAD']);
    const trust = { allowedSigners: allowed };
    const { first, cycle } = await start(fx, { ctx: { ...fx.ctx(), trust } });
    expect(first).toMatchObject({ result: 'ok', head: signed });

    const unsigned = await fx.repo.commit(fleetFiles({ hosts: [{ name: 'h1', sandboxes: ['s1', 's2'] }] }), 'unsigned');
    expect(await cycle()).toMatchObject({ result: 'rejected', head: unsigned });
    const s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'degraded', revision: { applied: signed, attempted: unsigned } });
    expect(s.conditions.find((c) => c.type === 'SourceReady')).toMatchObject({ status: 'False', reason: 'SignatureInvalid' });
    expect(await exists(join(fx.state(), 'sandboxes/s2'))).toBe(false);

    // Signed by a key the agent does not trust: refused as well.
    const other = join(fx.tmp, 'other');
    await runChecked(execRunner, { file: 'ssh-keygen', args: ['-q', '-t', 'ed25519', '-N', '', '-f', other] });
    await git(fx.repo.work, ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${other}`, 'commit', '-q', '--allow-empty', '-S', '-m', 'unknown key']);
    await git(fx.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    expect(await cycle()).toMatchObject({ result: 'rejected' });
    expect(await exists(join(fx.state(), 'sandboxes/s2'))).toBe(false);
  });

  it('with a GnuPG home, follows a head signed by a key in its keyring and refuses unsigned and unknown-key heads', async () => {
    try {
      const fx = await agentFixture();
      const trusted = await gpgHome();
      const ops = await gpgHome();
      const opsKey = await makeKey(ops, 'Ops <ops@example.invalid>');
      await importKey(ops, opsKey, trusted);
      await fx.repo.commit(fleetFiles(), 'unsigned base');
      // The head only is verified (the commits under it are trusted through it).
      const signed = await signedCommit(fx.repo.work, ops, opsKey, 'signed');
      await git(fx.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
      const { first, cycle } = await start(fx, { ctx: { ...fx.ctx(), trust: { gpgHome: trusted } } });
      expect(first).toMatchObject({ result: 'ok', head: signed });
      expect(await exists(join(fx.state(), 'sandboxes/s1'))).toBe(true);

      const unsigned = await fx.repo.commit(fleetFiles({ hosts: [{ name: 'h1', sandboxes: ['s1', 's2'] }] }), 'unsigned');
      expect(await cycle()).toMatchObject({ result: 'rejected', head: unsigned });
      const s = await statusOf(fx.state());
      expect(s).toMatchObject({ health: 'degraded', revision: { applied: signed, attempted: unsigned } });
      expect(s.conditions.find((c) => c.type === 'SourceReady')).toMatchObject({ status: 'False', reason: 'SignatureInvalid', message: expect.stringContaining('no signature') });
      expect(await exists(join(fx.state(), 'sandboxes/s2'))).toBe(false);

      // Signed by a key that is not in the agent's keyring (though in the signer's own): refused.
      const stranger = await gpgHome();
      const strangerKey = await makeKey(stranger, 'Stranger <stranger@example.invalid>');
      const unknown = await signedCommit(fx.repo.work, stranger, strangerKey, 'unknown key');
      await git(fx.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
      expect(await cycle()).toMatchObject({ result: 'rejected', head: unknown });
      expect((await statusOf(fx.state())).conditions.find((c) => c.type === 'SourceReady')).toMatchObject({ reason: 'SignatureInvalid', message: expect.stringContaining('No public key') });
      expect(await exists(join(fx.state(), 'sandboxes/s2'))).toBe(false);

      // A trusted key signs a new head on top: followed, with everything under it.
      const again = await signedCommit(fx.repo.work, ops, opsKey, 'signed again');
      await git(fx.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
      expect(await cycle()).toMatchObject({ result: 'ok', head: again });
      expect(await exists(join(fx.state(), 'sandboxes/s2'))).toBe(true);
    } finally {
      await removeGpgHomes();
    }
  });

  it('drift mode report: a drift cycle emits drift events, records the count and changes nothing', async () => {
    const fx = await agentFixture();
    await fx.repo.commit(fleetFiles({ drift: 'report' }));
    const { cycle } = await start(fx, { driftIntervalMs: 1 });
    await rm(join(fx.state(), 'sandboxes/s1'), { recursive: true });
    const out = await cycle();
    expect(out).toMatchObject({ kind: 'full', result: 'ok', drift: 1 });
    expect(await exists(join(fx.state(), 'sandboxes/s1'))).toBe(false);
    const s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'healthy', drift: 1 });
    expect(s.conditions.find((c) => c.type === 'Applied')).toMatchObject({ status: 'False', reason: 'DriftDetected' });
    expect(fx.events.filter((e) => e.topic === 'infrastructure.dependency.drift')).toHaveLength(1);
  });

  it('drift mode propose: a sandbox removed by hand is reported, not proposed, and not a failed proposal', async () => {
    const fx = await agentFixture();
    await fx.repo.commit(fleetFiles({ drift: 'propose' }));
    const { cycle } = await start(fx, { driftIntervalMs: 1 });
    await rm(join(fx.state(), 'sandboxes/s1'), { recursive: true });
    for (let i = 0; i < 2; i++) {
      expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', drift: 1 });
      const s = await statusOf(fx.state());
      expect(s).toMatchObject({ health: 'healthy', drift: 1, lastError: null });
      expect(s.conditions.find((c) => c.type === 'Applied')).toMatchObject({ status: 'False', reason: 'ProposeDrift', message: expect.stringContaining('nothing a proposal can adopt (only sandboxes differ)') });
    }
    expect(await exists(join(fx.state(), 'sandboxes/s1'))).toBe(false);
    expect(await git(fx.tmp, ['ls-remote', fx.repo.remote, 'refs/heads/gitfleet/*'])).toBe('');
  });

  it('drift mode enforce: a drift cycle repairs', async () => {
    const fx = await agentFixture();
    await fx.repo.commit(fleetFiles());
    const { cycle } = await start(fx, { driftIntervalMs: 1 });
    await rm(join(fx.state(), 'sandboxes/s1'), { recursive: true });
    expect(await cycle()).toMatchObject({ kind: 'full', result: 'ok', drift: 1 });
    expect(await exists(join(fx.state(), 'sandboxes/s1'))).toBe(true);
    expect((await statusOf(fx.state())).drift).toBe(0);
  });

  it('outside the maintenance window a change waits (pending, OutsideMaintenanceWindow)', async () => {
    const fx = await agentFixture();
    // 1 January 00:00 for one minute: closed at nearly any time the test runs.
    const now = new Date();
    const closed = now.getUTCMonth() === 0 && now.getUTCDate() === 1 ? '0 0 2 2 *' : '0 0 1 1 *';
    await fx.repo.commit(fleetFiles({ maintenance: [{ cron: closed, duration: '1m' }] }));
    const { first } = await start(fx);
    expect(first).toMatchObject({ result: 'gated' });
    const s = await statusOf(fx.state());
    expect(s).toMatchObject({ health: 'pending', revision: { applied: null } });
    expect(s.conditions.find((c) => c.type === 'InWindow')).toMatchObject({ status: 'False', reason: 'OutsideMaintenanceWindow' });
    expect(await exists(join(fx.state(), 'sandboxes/s1'))).toBe(false);
  });

  it('rollout waves: a canary whose clock runs ahead is aged from when this host first saw its status', async () => {
    const fx = await agentFixture();
    const spec = (sandboxes: string[]) => fleetFiles({ waves: [{ name: 'canary' }, { name: 'broad' }], hosts: [{ name: 'c1', wave: 'canary' }, { name: 'h2', wave: 'broad', sandboxes }] });
    const t0 = Date.parse('2024-05-01T12:00:00.000Z');
    let clock = t0;
    const ctx = fx.ctx({ host: 'h2', now: () => new Date(clock) });
    const mem = emptyMemory();
    const iso = (ms: number) => new Date(ms).toISOString();
    // The canary's own clock writes its times: `ahead` later than this host's.
    const canary = (applied: string, ahead: number) => publishStatus(execRunner, fx.repo.remote, makeStatus('c1', {
      heartbeat: iso(t0 + ahead), revision: { applied, appliedAt: iso(t0 + ahead - 3_600_000), attempted: null, healthySince: iso(t0 + ahead - 3_600_000) },
    }), { workDir: join(fx.tmp, 'c1-publish') });
    const message = () => mem.verdict?.conditions[0]?.message;

    // Healthy, clock 10 minutes ahead: the broad wave goes.
    const r1 = await fx.repo.commit(spec(['s1']));
    await canary(r1, 10 * 60_000);
    expect(await reconcile(ctx, mem, { full: true })).toMatchObject({ result: 'ok', head: r1 });

    // Healthy, clock a day ahead, first seen now: goes too.
    const r2 = await fx.repo.commit(spec(['s1', 's2']));
    clock = t0 + 60_000;
    await canary(r2, 86_400_000);
    expect(await reconcile(ctx, mem, { full: true })).toMatchObject({ result: 'ok', head: r2 });

    // Then silent: within staleAfter (5m) it is only behind; past it, offline, though its heartbeat is still "tomorrow".
    const r3 = await fx.repo.commit(spec(['s1', 's2', 's3']));
    clock = t0 + 4 * 60_000;
    expect(await reconcile(ctx, mem, { full: true })).toMatchObject({ result: 'gated', head: r3 });
    expect(message()).toMatch(/c1 has not applied/);
    clock = t0 + 7 * 60_000;
    expect(await reconcile(ctx, mem, { full: true })).toMatchObject({ result: 'gated', head: r3 });
    expect(message()).toMatch(/c1 \(offline\).*1 unavailable, 0 allowed/);
    expect(await exists(join(fx.state('h2'), 'sandboxes/s3'))).toBe(false);
  });

  it('a repository URL with a token: FetchFailed in status and the log, never the token', async () => {
    const fx = await agentFixture();
    const token = 'ghp_agentUrlT0ken00000000000000000000000';
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (l: string) => { lines.push(l); } });
    const repo = `http://x-access-token:${token}@127.0.0.1:9/git/acme/fleet.git`;
    const { first } = await start(fx, { ctx: { ...fx.ctx(), repo, log } });
    expect(first).toMatchObject({ result: 'error' });
    const s = await statusOf(fx.state());
    expect(s.conditions.find((c) => c.type === 'SourceReady')).toMatchObject({ status: 'False', reason: 'FetchFailed' });
    expect(s.lastError?.message).toContain('http://127.0.0.1:9/git/acme/fleet.git');
    expect(JSON.stringify(s) + lines.join('')).not.toContain(token);
  });

  it('an unreachable remote is FetchFailed (degraded), and the agent recovers', async () => {
    const fx = await agentFixture();
    await fx.repo.commit(fleetFiles());
    const { cycle } = await start(fx);
    await runChecked(execRunner, { file: 'mv', args: [fx.repo.remote, `${fx.repo.remote}.away`] });
    expect(await cycle()).toMatchObject({ result: 'error' });
    const s = await statusOf(fx.state());
    expect(s.health).toBe('degraded');
    expect(s.conditions.find((c) => c.type === 'SourceReady')).toMatchObject({ status: 'False', reason: 'FetchFailed' });
    await runChecked(execRunner, { file: 'mv', args: [`${fx.repo.remote}.away`, fx.repo.remote] });
    expect(await cycle()).toMatchObject({ result: 'noop' });
    expect((await statusOf(fx.state())).health).toBe('healthy');
  });
});
