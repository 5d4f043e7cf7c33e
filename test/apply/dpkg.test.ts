import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { applyHost, planHost, type HostRunOptions } from '../../src/apply/run.js';
import { execRunner, runChecked } from '../../src/util/exec.js';
import { testRepo, type TestRepo } from '../helpers/git.js';
import { buildDeb, nativeArch, newDpkgRoot } from '../helpers/debs.js';

let tmp: string;
let repo: TestRepo;
let root: string;

/** What dpkg itself says is installed in the test root (the reference, not gitfleet's reader). */
async function dpkgInstalled(): Promise<Record<string, string>> {
  const res = await runChecked(execRunner, { file: 'dpkg-query', args: [`--admindir=${root}/var/lib/dpkg`, '-W', '-f=${binary:Package}\\t${Version}\\t${db:Status-Abbrev}\\n'] });
  return Object.fromEntries(res.stdout.trim().split('\n').filter((l) => l.split('\t')[2]?.startsWith('ii')).map((l) => l.split('\t').slice(0, 2) as [string, string]));
}

const files = (apt: Record<string, string>) => ({
  'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\n',
  'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [sys]\n',
  'baselines/sys.yaml': `apiVersion: gitfleet/v1\nkind: Baseline\nname: sys\nsources: {apt: {findLinks: [debs]}}\npackages:\n  apt:\n${Object.entries(apt).map(([k, v]) => `    ${k}: "${v}"`).join('\n')}\n`,
});

const options = (): HostRunOptions => ({ host: 'h1', repo: repo.remote, stateDir: join(tmp, 'state'), systemRoot: root, runner: execRunner, log: pino({ level: 'silent' }) });

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-dpkg-apply-'));
  repo = await testRepo(join(tmp, 'repo'));
  const arch = await nativeArch();
  for (const [name, version] of [['alpha', '1:1.2~rc1-3'], ['alpha', '1:1.3-1'], ['beta', '2.0-1'], ['stray', '1.0']]) {
    await buildDeb(tmp, join(repo.work, 'debs'), { name: name!, version: version!, arch });
  }
  root = await newDpkgRoot(join(tmp, 'root'));
}, 60_000);

afterAll(async () => rm(tmp, { recursive: true, force: true }));

describe('apply with apt into a dpkg test root', () => {
  it('converges, upgrades with an epoch and tilde version, and removes only what gitfleet installed', async () => {
    await repo.commit(files({ alpha: '1:1.2~rc1-3', beta: '2.0-1' }));
    expect((await applyHost(options())).result?.status).toBe('applied');
    expect(await dpkgInstalled()).toEqual({ alpha: '1:1.2~rc1-3', beta: '2.0-1' });
    expect((await planHost(options())).plan.actions).toEqual([]);

    // A package someone else installed is left alone when it is not desired.
    const stray = join(repo.work, 'debs', `stray_1.0_${await nativeArch()}.deb`);
    await runChecked(execRunner, { file: 'dpkg', args: [`--root=${root}`, `--admindir=${root}/var/lib/dpkg`, `--log=${root}/dpkg.log`, '--force-script-chrootless', '--force-not-root', '-i', stray] });

    await repo.commit(files({ alpha: '1:1.3-1' }));
    const p = await planHost(options());
    expect(p.plan.actions.map((a) => `${a.kind} ${a.name} ${a.from ?? ''}>${a.to ?? ''} ${a.risk}`)).toEqual(['remove beta 2.0-1> removal', 'upgrade alpha 1:1.2~rc1-3>1:1.3-1 minor']);
    expect((await applyHost(options())).result?.status).toBe('applied');
    expect(await dpkgInstalled()).toEqual({ alpha: '1:1.3-1', stray: '1.0' });
  });
});
