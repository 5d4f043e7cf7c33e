import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectInventory, parseTarget } from '../../src/host/inventory.js';
import { allManagers } from '../../src/managers/api.js';
import { execRunner, runChecked } from '../../src/util/exec.js';
import { writeWheels, pipEnv, PYTHON } from '../helpers/wheels.js';
import { runCli } from '../helpers/cli.js';

let tmp: string;
let venv: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-inv-'));
  venv = join(tmp, 'venv');
  await writeWheels(join(tmp, 'wh'), [{ name: 'Foo_Bar.baz', version: '1.0rc1' }, { name: 'plain', version: '2.0+local.1' }]);
  await runChecked(execRunner, { file: PYTHON, args: ['-m', 'venv', venv] });
  await runChecked(execRunner, { file: join(venv, 'bin/python'), args: ['-m', 'pip', 'install', '--no-index', '--find-links', join(tmp, 'wh'), 'Foo_Bar.baz==1.0rc1', 'plain==2.0+local.1'], env: pipEnv() });
}, 120_000);

afterAll(async () => rm(tmp, { recursive: true, force: true }));

describe('inventory', () => {
  it.each([
    ['system', { kind: 'system' }], ['venv:/a/b', { kind: 'venv', path: '/a/b' }], ['root:/r', { kind: 'root', path: '/r' }],
  ])('parses target %s', (spec, target) => expect(parseTarget(spec)).toEqual(target));

  it.each(['venv', 'venv:', 'nope:/x', 'system:/x'])('refuses target %s with the accepted forms', (spec) => {
    expect(() => parseTarget(spec)).toThrow(/use system, venv:PATH/);
  });

  it('lists a venv by reading its database, equal to pip list', async () => {
    const [pip] = await collectInventory(allManagers(), parseTarget(`venv:${venv}`), { runner: execRunner });
    expect(pip).toMatchObject({ manager: 'pip', status: 'ok', via: 'database' });
    const res = await runChecked(execRunner, { file: join(venv, 'bin/python'), args: ['-m', 'pip', 'list', '--format=json'], env: pipEnv() });
    const expected = Object.fromEntries((JSON.parse(res.stdout) as { name: string; version: string }[]).map((p) => [p.name.toLowerCase().replace(/[-_.]+/g, '-'), p.version]));
    expect(pip!.packages).toEqual(expected);
  });

  it('a broken target is unknown with its reason; the CLI says so and exits 1', async () => {
    const broken = join(tmp, 'broken');
    const sp = join(broken, 'lib/python3.11/site-packages/x-1.0.dist-info');
    await mkdir(sp, { recursive: true });
    await writeFile(join(sp, 'METADATA'), 'Name: x\n');
    const [pip] = await collectInventory(allManagers(), parseTarget(`venv:${broken}`), { runner: execRunner });
    expect(pip).toMatchObject({ status: 'unknown', error: { code: 'E_PARSE' } });
    const r = await runCli(['inventory', '--target', `venv:${broken}`]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^pip: unknown — .*METADATA/m);
  });

  it('the system lists this machine\'s dpkg database and marks missing managers absent', async () => {
    const inv = await collectInventory(allManagers(), { kind: 'system' }, { runner: execRunner, timeoutMs: 10_000 });
    const apt = inv.find((m) => m.manager === 'apt')!;
    expect(apt.status).toBe('ok');
    expect(apt.packages?.dpkg).toMatch(/^1\.21/);
    expect(inv.find((m) => m.manager === 'winget')!.status).toBe('absent');
  });
});
