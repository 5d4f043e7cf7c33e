import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnfAdapter } from '../../../src/managers/dnf/index.js';
import { execRunner, runChecked } from '../../../src/util/exec.js';

const ctx = { runner: execRunner };
const hasRpm = ['/usr/bin/rpm', '/usr/bin/rpmbuild'].every((f) => existsSync(f));
let work: string;

interface RpmSpec {
  name: string;
  epoch?: string;
  version: string;
  release: string;
}

/** Builds a real noarch .rpm with rpmbuild; returns its path. */
async function buildRpm(spec: RpmSpec): Promise<string> {
  const top = join(work, 'top');
  await mkdir(join(top, 'SPECS'), { recursive: true });
  const dir = `/usr/share/${spec.name}-${spec.version}-${spec.release}`;
  const specFile = join(top, 'SPECS', `${spec.name}-${spec.version}.spec`);
  await writeFile(specFile, [
    `Name: ${spec.name}`, ...(spec.epoch ? [`Epoch: ${spec.epoch}`] : []), `Version: ${spec.version}`,
    `Release: ${spec.release}`, 'Summary: gitfleet test', 'License: MIT', 'BuildArch: noarch',
    '%description', 'gitfleet test package', '%install', `mkdir -p %{buildroot}${dir}`, `echo hi > %{buildroot}${dir}/f`,
    '%files', `${dir}/f`, '',
  ].join('\n'));
  await runChecked(execRunner, {
    file: 'rpmbuild', args: ['--define', `_topdir ${top}`, '--define', '_build_id_links none', '-bb', specFile],
  });
  return join(top, 'RPMS/noarch', `${spec.name}-${spec.version}-${spec.release}.noarch.rpm`);
}

beforeAll(async () => {
  if (hasRpm) work = await mkdtemp(join(tmpdir(), 'gitfleet-dnf-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe.runIf(hasRpm)('dnfAdapter.listInstalled on a real rpmdb in a test root', () => {
  it('lists names with [epoch:]version-release, the newest of an install-only pair', async () => {
    const rpms = await Promise.all([
      buildRpm({ name: 'tinyrpm', epoch: '2', version: '1.0~rc1', release: '3.fc40' }),
      buildRpm({ name: 'hello-gf', version: '2.10', release: '1.fc40' }),
      buildRpm({ name: 'zero-epoch', epoch: '0', version: '1.0', release: '1' }),
      buildRpm({ name: 'kernel-core', version: '6.8.5', release: '301.fc40' }),
      buildRpm({ name: 'kernel-core', version: '6.10.2', release: '200.fc40' }),
    ]);
    const root = join(work, 'root');
    await mkdir(root);
    await runChecked(execRunner, { file: 'rpm', args: ['--root', root, '--initdb'] });
    await runChecked(execRunner, { file: 'rpm', args: ['--root', root, '-i', '--nodeps', ...rpms] });

    expect(await dnfAdapter.listInstalled({ kind: 'root', path: root }, ctx)).toEqual({
      packages: { tinyrpm: '2:1.0~rc1-3.fc40', 'hello-gf': '2.10-1.fc40', 'zero-epoch': '1.0-1', 'kernel-core': '6.10.2-200.fc40' },
      via: 'command',
    });
  });

  it('lists an initialized but empty rpmdb as empty', async () => {
    const root = join(work, 'empty');
    await mkdir(root);
    await runChecked(execRunner, { file: 'rpm', args: ['--root', root, '--initdb'] });
    expect((await dnfAdapter.listInstalled({ kind: 'root', path: root }, ctx)).packages).toEqual({});
  });
});

describe('dnfAdapter.detect', () => {
  it.runIf(!existsSync('/usr/bin/dnf') && !existsSync('/bin/dnf'))('is not present without dnf, even when rpm is', async () => {
    expect(await dnfAdapter.detect(ctx)).toEqual({ present: false });
  });
});
