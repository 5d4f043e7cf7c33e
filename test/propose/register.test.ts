// Registration end to end: register → a human merges → the new host's apply installs its baselines.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { git } from '../helpers/git.js';
import { pipEnv } from '../helpers/wheels.js';
import { registerHost, hostYaml, hostNameFrom } from '../../src/propose/register.js';
import { applyHost } from '../../src/apply/run.js';
import { collectFacts } from '../../src/host/facts.js';
import { execRunner } from '../../src/util/exec.js';
import { EventBus } from '../../src/events/bus.js';
import type { AnyEvent } from '../../src/events/types.js';
import { ValidationError } from '../../src/util/errors.js';
import { registerSummary } from '../../src/cli/host-register.js';
import { proposeFixture, installedIn, silent } from './helpers.js';

describe('host register', () => {
  it('proposes hosts/<name>.yaml; merging admits the host and its apply installs its baselines', async () => {
    const f = await proposeFixture();
    const facts = await collectFacts({ timeoutMs: 1500 });
    const events: AnyEvent[] = [];
    const bus = new EventBus({ host: 'new', sinks: [{ name: 'mem', write: (e) => { events.push(e); } }], log: silent });
    const res = await registerHost({
      runner: execRunner, log: silent, repo: f.repo.remote, stateDir: f.state, facts, name: 'new-01', labels: { role: 'trainer' },
      wave: 'broad', baselines: ['py'], sandboxes: { py: 'venv' }, bus,
    });
    expect(res).toMatchObject({ branch: 'gitfleet/register-new-01', file: 'hosts/new-01.yaml', created: true, pr: { state: 'open' } });
    expect(events.map((e) => [e.topic, e.payload])).toEqual([['infrastructure.host.registered', { name: 'new-01', os: 'linux', arch: facts.arch }]]);
    const text = await f.show('gitfleet/register-new-01', 'hosts/new-01.yaml');
    expect(text).toBe(res.text);
    expect(text).toContain('labels:\n  role: trainer\n');
    expect(text).toContain(`  - "arch.${facts.arch}"`);
    expect(await git(f.repo.remote, ['log', '-1', '--format=%s', 'gitfleet/register-new-01'])).toBe('register host new-01');

    // not admitted before the merge
    const state = join(f.tmp, 'new-state');
    const opts = { host: 'new-01', repo: f.repo.remote, stateDir: state, runner: execRunner, log: silent, env: { ...pipEnv(), PIP_FIND_LINKS: '' }, batchTimeoutMs: 120_000 };
    await expect(applyHost(opts)).rejects.toThrow(/host "new-01" is not in the fleet/);

    await git(f.repo.work, ['fetch', '-q', 'origin']);
    await git(f.repo.work, ['merge', '-q', '--no-ff', '-m', 'merge registration', 'origin/gitfleet/register-new-01']);
    await git(f.repo.work, ['push', '-q', 'origin', 'HEAD:main']);
    const out = await applyHost(opts);
    expect(out.result?.status).toBe('applied');
    expect(await installedIn(join(state, 'sandboxes/py'), 'alpha')).toEqual(['1.0.0']);
  }, 120_000);

  it('a second identical registration changes nothing, says so and emits no event; a changed one does', async () => {
    const f = await proposeFixture();
    const facts = await collectFacts({ timeoutMs: 1500 });
    const events: AnyEvent[] = [];
    const bus = new EventBus({ host: 'new', sinks: [{ name: 'mem', write: (e) => { events.push(e); } }], log: silent });
    const opts = { runner: execRunner, log: silent, repo: f.repo.remote, stateDir: f.state, facts, name: 'new-02', wave: 'broad', bus };
    const first = await registerHost(opts);
    expect(first).toMatchObject({ created: true, updated: false });
    expect(events.map((e) => e.topic)).toEqual(['infrastructure.host.registered']);
    const second = await registerHost(opts);
    expect(second).toMatchObject({ created: false, updated: false });
    expect(second.pr.headSha).toBe(first.pr.headSha);
    expect(events).toHaveLength(1);
    expect(registerSummary(second).split('\n')[0]).toBe('already proposed, unchanged (nothing pushed, no event): gitfleet/register-new-02  register host new-02  ' + second.pr.url);
    const changed = await registerHost({ ...opts, labels: { role: 'x' } });
    expect(changed).toMatchObject({ created: false, updated: true });
    expect(events).toHaveLength(2);
    expect(registerSummary(changed).split('\n')[0]).toMatch(/^updated: gitfleet\/register-new-02 /);
  });

  it('refuses a registration that would not validate (an unknown wave), and proposes nothing', async () => {
    const f = await proposeFixture();
    const facts = await collectFacts({ timeoutMs: 1500 });
    await expect(registerHost({ runner: execRunner, log: silent, repo: f.repo.remote, stateDir: f.state, facts, name: 'x1', wave: 'nowhere' }))
      .rejects.toBeInstanceOf(ValidationError);
    expect([...(await f.remoteBranches()).keys()]).toEqual(['main']);
  });

  it('writes a flat document and derives a name from the hostname', () => {
    expect(hostNameFrom('GPU-Trainer_01.lab.example.com')).toBe('gpu-trainer_01');
    expect(hostYaml({ name: 'a', os: 'linux', arch: 'x64', labels: { site: 'no' }, capabilities: ['mem.gb>=8'], baselines: [], sandboxes: {}, recipient: undefined }))
      .toBe("# Written by `gitfleet host register` from this host's facts; review, then merge to admit the host.\napiVersion: gitfleet/v1\nkind: Host\nname: a\nos: linux\narch: x64\nlabels:\n  site: \"no\"\ncapabilities:\n  - \"mem.gb>=8\"\nbaselines: []\n");
  });
});
