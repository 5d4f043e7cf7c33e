import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aptAdapter } from '../../../src/managers/apt/index.js';
import { dpkgQueryCommand } from '../../../src/managers/apt/commands.js';
import { parseDpkgQuery, parseDpkgWritten } from '../../../src/managers/apt/parse.js';
import { forgetDpkgStatus, readDpkgStatusHow } from '../../../src/managers/apt/status-cache.js';
import type { PackageChange, Target } from '../../../src/managers/types.js';
import { GitfleetError } from '../../../src/util/errors.js';
import { execRunner, runChecked } from '../../../src/util/exec.js';

import { buildDeb as buildDebIn, newDpkgRoot, type DebSpec } from '../../helpers/debs.js';

const ctx = { runner: execRunner };
let work: string;
let debs: string;
let native: string;

/** Builds a real .deb with dpkg-deb into the shared `debs` folder. */
function buildDeb(spec: DebSpec): Promise<void> {
  return buildDebIn(work, debs, spec);
}

/** What dpkg-query itself reports as installed under the root (the reference). */
async function dpkgQueryInstalled(root: string): Promise<{ installed: Record<string, string>; raw: string }> {
  const res = await runChecked(execRunner, dpkgQueryCommand({ kind: 'root', path: root }));
  return { installed: parseDpkgQuery(res.stdout), raw: res.stdout };
}

function newRoot(name: string): Promise<string> {
  return newDpkgRoot(join(work, name));
}

async function apply(changes: PackageChange[], target: Target): Promise<void> {
  for (const cmd of aptAdapter.commands(changes, target, { findLinks: [debs] })) await runChecked(execRunner, cmd);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gitfleet-apt-'));
  debs = join(work, 'debs');
  await mkdir(debs);
  native = (await runChecked(execRunner, { file: 'dpkg', args: ['--print-architecture'] })).stdout.trim();
  const specs: DebSpec[] = [
    { name: 'alpha', version: '1:1.2~rc1-3', arch: native },
    { name: 'alpha', version: '1:1.1-1', arch: native },
    { name: 'libgamma1', version: '2.0-1', arch: native, extra: 'Multi-Arch: same' },
    { name: 'delta-doc', version: '0.5', arch: 'all', extra: 'Multi-Arch: foreign' },
    { name: 'epsconf', version: '1.0', arch: native, conffile: true },
    { name: 'zeta', version: '3.0+dfsg-1', arch: native },
  ];
  await Promise.all(specs.map(buildDeb));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('aptAdapter on a real dpkg root', () => {
  it('installs through its commands and lists exactly what dpkg-query lists', async () => {
    const root = await newRoot('r1');
    const target: Target = { kind: 'root', path: root };
    expect(existsSync(join(debs, `alpha_1.2~rc1-3_${native}.deb`))).toBe(true);
    await apply([
      { kind: 'install', name: 'alpha', version: '1:1.2~rc1-3' },
      { kind: 'install', name: `libgamma1:${native}`, version: '2.0-1' },
      { kind: 'install', name: 'delta-doc', version: '0.5' },
      { kind: 'install', name: 'epsconf', version: '1.0' },
      { kind: 'install', name: 'zeta', version: '3.0+dfsg-1' },
    ], target);

    const listed = await aptAdapter.listInstalled(target, ctx);
    const expected = {
      alpha: '1:1.2~rc1-3', [`libgamma1:${native}`]: '2.0-1', 'delta-doc': '0.5', epsconf: '1.0', zeta: '3.0+dfsg-1',
    };
    expect(listed).toEqual({ packages: expected, via: 'database' });
    expect((await dpkgQueryInstalled(root)).installed).toEqual(expected);

    // Remove one with a conffile (stays as `rc`) and one without (gone); downgrade another.
    await apply([
      { kind: 'remove', name: 'epsconf' },
      { kind: 'remove', name: 'zeta' },
      { kind: 'downgrade', name: 'alpha', version: '1:1.1-1' },
    ], target);
    const after = await aptAdapter.listInstalled(target, ctx);
    const ref = await dpkgQueryInstalled(root);
    expect(ref.raw).toMatch(/^epsconf\t1\.0\trc /m);
    expect(after.packages).toEqual({ alpha: '1:1.1-1', [`libgamma1:${native}`]: '2.0-1', 'delta-doc': '0.5' });
    expect(after.packages).toEqual(ref.installed);
    // What dpkg wrote is read by the fast path, not handed to the line reader.
    expect(parseDpkgWritten(await readFile(join(root, 'var/lib/dpkg/status'), 'latin1'), native)).toEqual(after.packages);
  });

  it('after each real dpkg run, parses again only the stanzas dpkg changed and still lists what dpkg-query lists', async () => {
    const root = await newRoot('r5');
    const target: Target = { kind: 'root', path: root };
    const statusPath = join(root, 'var/lib/dpkg/status');
    await apply([{ kind: 'install', name: 'delta-doc', version: '0.5' }, { kind: 'install', name: 'zeta', version: '3.0+dfsg-1' }], target);
    forgetDpkgStatus();
    expect(readDpkgStatusHow(statusPath, native).read).toBe('whole');
    const steps: PackageChange[][] = [
      [{ kind: 'install', name: 'alpha', version: '1:1.2~rc1-3' }],
      [{ kind: 'downgrade', name: 'alpha', version: '1:1.1-1' }],
      [{ kind: 'install', name: 'epsconf', version: '1.0' }],
      [{ kind: 'remove', name: 'epsconf' }, { kind: 'remove', name: 'zeta' }],
    ];
    for (const step of steps) {
      await apply(step, target);
      const got = readDpkgStatusHow(statusPath, native);
      expect(got.read).toBe('changed-stanzas');
      expect(got.packages).toEqual((await dpkgQueryInstalled(root)).installed);
      expect(await aptAdapter.listInstalled(target, ctx)).toEqual({ packages: got.packages, via: 'database' });
    }
    expect(Object.keys((await aptAdapter.listInstalled(target, ctx)).packages).sort()).toEqual(['alpha', 'delta-doc']);
  });

  it("reads dpkg's updates journal on top of the status file, as dpkg-query does", async () => {
    const root = await newRoot('r6');
    const target: Target = { kind: 'root', path: root };
    await apply([{ kind: 'install', name: 'alpha', version: '1:1.2~rc1-3' }, { kind: 'install', name: 'zeta', version: '3.0+dfsg-1' }, { kind: 'install', name: 'delta-doc', version: '0.5' }], target);
    const admin = join(root, 'var/lib/dpkg');
    const status = await readFile(join(admin, 'status'), 'latin1');
    const stanzaOf = (name: string): string => status.split('\n\n').find((st) => st.startsWith(`Package: ${name}\n`))! + '\n\n';
    const same = async (): Promise<Record<string, string>> => {
      const ours = (await aptAdapter.listInstalled(target, ctx)).packages;
      expect(ours).toEqual((await dpkgQueryInstalled(root)).installed);
      return { ...ours };
    };
    expect(await same()).toEqual({ alpha: '1:1.2~rc1-3', zeta: '3.0+dfsg-1', 'delta-doc': '0.5' });
    // What an interrupted dpkg run leaves: one record per change, the later ones winning; tmp.i is one being written.
    await writeFile(join(admin, 'updates/0000'), stanzaOf('zeta').replace('Status: install ok installed', 'Status: deinstall ok config-files'));
    await writeFile(join(admin, 'updates/0001'), stanzaOf('alpha').replace('Version: 1:1.2~rc1-3', 'Version: 1:1.1-1') + stanzaOf('delta-doc').replace('Version: 0.5', 'Version: 0.6'));
    await writeFile(join(admin, 'updates/tmp.i'), stanzaOf('alpha').replace('Version: 1:1.2~rc1-3', 'Version: 9'));
    expect(await same()).toEqual({ alpha: '1:1.1-1', 'delta-doc': '0.6' });
    await writeFile(join(admin, 'updates/0002'), stanzaOf('zeta'));
    expect(await same()).toEqual({ alpha: '1:1.1-1', zeta: '3.0+dfsg-1', 'delta-doc': '0.6' });
    // Folded into status by the next dpkg run: the journal is empty again.
    await rm(join(admin, 'updates'), { recursive: true });
    await mkdir(join(admin, 'updates'));
    expect(await same()).toEqual({ alpha: '1:1.2~rc1-3', zeta: '3.0+dfsg-1', 'delta-doc': '0.5' });
    // Names of different lengths: dpkg refuses the database, and so does the listing.
    await writeFile(join(admin, 'updates/0000'), stanzaOf('zeta'));
    await writeFile(join(admin, 'updates/01'), stanzaOf('zeta'));
    const refused = await execRunner.run(dpkgQueryCommand(target));
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/different length names/);
    await expect(aptAdapter.listInstalled(target, ctx)).rejects.toThrow(/updates journal has file names of different/);
  });

  it('finds a Multi-Arch: same .deb from the unqualified name', async () => {
    const root = await newRoot('r2');
    const cmds = aptAdapter.commands([{ kind: 'install', name: 'libgamma1', version: '2.0-1' }], { kind: 'root', path: root }, { findLinks: [debs] });
    expect(cmds[0]?.args.at(-1)).toBe(join(debs, `libgamma1_2.0-1_${native}.deb`));
    expect(() => aptAdapter.commands([{ kind: 'install', name: 'alpha', version: '9.9' }], { kind: 'root', path: root }, { findLinks: [debs] }))
      .toThrow(/no \.deb for alpha 9\.9/);
  });

  it('rejects a half-written status file with the file and line', async () => {
    const root = await newRoot('r3');
    const target: Target = { kind: 'root', path: root };
    await apply([{ kind: 'install', name: 'delta-doc', version: '0.5' }, { kind: 'install', name: 'zeta', version: '3.0+dfsg-1' }], target);
    const statusPath = join(root, 'var/lib/dpkg/status');
    const full = await readFile(statusPath, 'utf8');
    const cut = full.indexOf('Version: 3.0') + 'Version: 3'.length;
    await writeFile(statusPath, full.slice(0, cut));
    const line = full.slice(0, cut).split('\n').length;
    const err = await aptAdapter.listInstalled(target, ctx).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(GitfleetError);
    expect((err as GitfleetError).code).toBe('E_PARSE');
    expect((err as Error).message).toContain(`${statusPath}:${line}:`);
  });

  it('reports E_IO when neither the status file nor dpkg-query can be read', async () => {
    const root = join(work, 'r4');
    await mkdir(join(root, 'var/lib/dpkg/status'), { recursive: true });
    const err = await aptAdapter.listInstalled({ kind: 'root', path: root }, ctx).then(() => undefined, (e: unknown) => e);
    expect((err as GitfleetError).code).toBe('E_IO');
    expect((err as Error).message).toMatch(/dpkg-query failed/);
  });
});

describe('aptAdapter on this host', () => {
  it.runIf(existsSync('/var/lib/dpkg/status'))('reads the system status file exactly as dpkg-query does', async () => {
    const listed = await aptAdapter.listInstalled({ kind: 'system' }, ctx);
    const ref = parseDpkgQuery((await runChecked(execRunner, dpkgQueryCommand({ kind: 'system' }))).stdout);
    expect(Object.keys(listed.packages).length).toBeGreaterThan(10);
    expect(listed.packages).toEqual(ref);
    const arch = (await runChecked(execRunner, { file: 'dpkg', args: ['--print-architecture'] })).stdout.trim();
    expect(parseDpkgWritten(await readFile('/var/lib/dpkg/status', 'latin1'), arch)).toEqual(ref);
  });

  it.runIf(existsSync('/usr/bin/dpkg'))('detects apt-get or dpkg with a version', async () => {
    const d = await aptAdapter.detect(ctx);
    expect(d.present).toBe(true);
    expect(d.version).toMatch(/^\d+\.\d+/);
  });
});
