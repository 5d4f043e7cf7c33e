import { mkdir, mkdtemp, rm, symlink, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipAdapter } from '../../../src/managers/pip/index.js';
import { findSitePackages } from '../../../src/managers/pip/installed.js';
import { inBatches } from '../../../src/util/batches.js';
import { execRunner } from '../../../src/util/exec.js';
import { GitfleetError } from '../../../src/util/errors.js';
import { PYTHON, makeVenv, pip, pipEnv, pipListReference, writeWheels } from '../../helpers/wheels.js';

const ctx = { runner: execRunner, env: pipEnv(), timeoutMs: 60_000 };
let tmp: string;
let venv: string;

async function sitePackages(v: string): Promise<string> {
  const [sp] = await findSitePackages(v);
  if (!sp) throw new Error(`no site-packages in ${v}`);
  return sp;
}

async function listError(path: string): Promise<GitfleetError> {
  const err = await pipAdapter.listInstalled({ kind: 'venv', path }, ctx).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(GitfleetError);
  return err as GitfleetError;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-pip-list-'));
  const wheels = join(tmp, 'wheels');
  await writeWheels(wheels, [
    { name: 'Foo_Bar.baz', version: '1.0rc1' },
    { name: 'localpkg', version: '1.0+local.1' },
    { name: 'Plain', version: '2.0.post1' },
    { name: 'dev-thing', version: '0.1.dev3' },
  ]);
  venv = await makeVenv(join(tmp, 'venv'), true);
  await pip(venv, ['install', '--no-index', '--find-links', wheels, 'Foo_Bar.baz==1.0rc1', 'localpkg==1.0+local.1', 'Plain==2.0.post1', 'dev-thing==0.1.dev3']);
  // Legacy egg-info, both shapes: a folder with PKG-INFO and a bare file.
  const sp = await sitePackages(venv);
  await mkdir(join(sp, 'Old_Egg-3.1-py3.11.egg-info'));
  await writeFile(join(sp, 'Old_Egg-3.1-py3.11.egg-info', 'PKG-INFO'), 'Metadata-Version: 1.1\nName: Old_Egg\nVersion: 3.1\n');
  await writeFile(join(sp, 'flat.egg-info'), 'Metadata-Version: 1.0\nName: flat.file\nVersion: 0.9b2\n');
}, 120_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('pip listInstalled on a real venv', () => {
  it('equals pip list --format=json (odd names, pre-releases, local versions, egg-info)', async () => {
    const got = await pipAdapter.listInstalled({ kind: 'venv', path: venv }, ctx);
    expect(got.via).toBe('database');
    const ref = await pipListReference(venv);
    expect(got.packages).toEqual(ref);
    // The reference itself must contain what we installed, so the equality is not vacuous.
    expect(ref).toMatchObject({
      'foo-bar-baz': '1.0rc1', localpkg: '1.0+local.1', plain: '2.0.post1', 'dev-thing': '0.1.dev3', 'old-egg': '3.1', 'flat-file': '0.9b2',
    });
    expect(ref.pip).toBeDefined();
  });

  it('falls back to pip when the venv also sees system site-packages', async () => {
    const v = await makeVenv(join(tmp, 'sys-venv'), false);
    await writeFile(join(v, 'pyvenv.cfg'), (await readFile(join(v, 'pyvenv.cfg'), 'utf8')).replace(/include-system-site-packages = false/, 'include-system-site-packages = true'));
    const got = await pipAdapter.listInstalled({ kind: 'venv', path: v }, { ...ctx, env: pipEnv() });
    expect(got.via).toBe('command');
    expect(got.packages).toEqual(await pipListReference(v));
    expect(Object.keys(got.packages).length).toBeGreaterThan(0);
  });

  it('lists the system python through python3 -m pip list', async () => {
    const got = await pipAdapter.listInstalled({ kind: 'system' }, { ...ctx, env: { ...pipEnv(), PATH: '/usr/bin:/bin' } });
    expect(got.via).toBe('command');
    const ref = JSON.parse((await execRunner.run({ file: PYTHON, args: ['-m', 'pip', 'list', '--format=json'], env: pipEnv(), cleanEnv: true })).stdout) as { name: string; version: string }[];
    expect(ref.length).toBeGreaterThan(0);
    expect(got.packages).toEqual(Object.fromEntries(ref.map((e) => [e.name.replace(/[-_.]+/g, '-').toLowerCase(), e.version])));
  });

  it('falls back to python -m pip list when no site-packages can be found', async () => {
    const odd = join(tmp, 'odd-layout');
    await mkdir(join(odd, 'bin'), { recursive: true });
    await symlink(PYTHON, join(odd, 'bin', 'python'));
    const got = await pipAdapter.listInstalled({ kind: 'venv', path: odd }, ctx);
    expect(got.via).toBe('command');
    expect(got.packages).toEqual(await pipListReference(odd));
  });
});

describe('pip listInstalled on bad input', () => {
  it('a missing venv path → E_NOT_FOUND naming the path', async () => {
    const missing = join(tmp, 'no-such-venv');
    const err = await listError(missing);
    expect(err.code).toBe('E_NOT_FOUND');
    expect(err.message).toContain(missing);
  });

  it.each([
    ['corrupt METADATA', 'Broken-1.0.dist-info', 'METADATA', '\u0089PNG\r\n\u001a\n garbage', /Broken-1\.0\.dist-info\/METADATA: line 1 is not a metadata header/],
    ['METADATA without Version', 'NoVer-1.0.dist-info', 'METADATA', 'Metadata-Version: 2.1\nName: NoVer\n', /NoVer-1\.0\.dist-info\/METADATA: has no Version header/],
    ['dist-info without METADATA', 'Empty-1.0.dist-info', 'RECORD', '', /Empty-1\.0\.dist-info\/METADATA: cannot be read/],
  ])('%s → E_PARSE naming the file; other targets still list', async (_, dir, file, text, msg) => {
    const bad = await makeVenv(join(tmp, `bad-${dir}`), false);
    const sp = await sitePackages(bad);
    await mkdir(join(sp, dir));
    await writeFile(join(sp, dir, file), text);
    await mkdir(join(sp, 'good-1.0.dist-info'));
    await writeFile(join(sp, 'good-1.0.dist-info', 'METADATA'), 'Name: good\nVersion: 1.0\n');
    const [badRes, goodRes] = await Promise.allSettled([
      pipAdapter.listInstalled({ kind: 'venv', path: bad }, ctx),
      pipAdapter.listInstalled({ kind: 'venv', path: venv }, ctx),
    ]);
    expect(badRes.status).toBe('rejected');
    const err = (badRes as PromiseRejectedResult).reason as GitfleetError;
    expect(err.code).toBe('E_PARSE');
    expect(err.message).toMatch(msg);
    expect(err.message).toContain(sp);
    expect(goodRes.status).toBe('fulfilled');
  });

  it('reads headers past the first 16 KiB chunk and ignores long bodies', async () => {
    const v = await makeVenv(join(tmp, 'big-metadata'), false);
    const sp = await sitePackages(v);
    const classifiers = Array.from({ length: 600 }, (_, i) => `Classifier: Topic :: Thing ${i} :: ${'x'.repeat(20)}`).join('\n');
    await mkdir(join(sp, 'late-1.dist-info'));
    await writeFile(join(sp, 'late-1.dist-info', 'METADATA'), `Metadata-Version: 2.1\nName: Late.Headers\n${classifiers}\nVersion: 7.0a1\n\nbody`);
    await mkdir(join(sp, 'longbody-1.dist-info'));
    await writeFile(join(sp, 'longbody-1.dist-info', 'METADATA'), `Name: longbody\nVersion: 1.2.3\n\n${'é\u0000 not a header\n'.repeat(5000)}`);
    const got = await pipAdapter.listInstalled({ kind: 'venv', path: v }, ctx);
    expect(got.packages).toEqual({ 'late-headers': '7.0a1', longbody: '1.2.3' });
  });

  it('an empty venv lists nothing from the database', async () => {
    const v = await makeVenv(join(tmp, 'empty'), false);
    expect(await pipAdapter.listInstalled({ kind: 'venv', path: v }, ctx)).toEqual({ packages: {}, via: 'database' });
  });
});

describe('inBatches', () => {
  it('keeps order and lets the event loop run between batches', async () => {
    const log: (number | 'tick')[] = [];
    setImmediate(() => log.push('tick'));
    const out = await inBatches([...Array(10).keys()], 3, (i) => {
      log.push(i);
      return i * 2;
    });
    expect(out).toEqual([...Array(10).keys()].map((i) => i * 2));
    // The first batch runs at once; the loop turns before the second.
    expect(log.indexOf('tick')).toBe(3);
  });
});
