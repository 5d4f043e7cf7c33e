import { describe, expect, it } from 'vitest';
import type { ManagerSources } from '../../src/managers/types.js';
import {
  SOURCES_MOUNT_ROOT, checkSourceFolder, distinctFolders, mapSourceFolders, sourceFolders, sourceMountFolder, sourceMountFolders, sourceMountPoint,
  sourcePathInside, sourcesInside, wslPath,
} from '../../src/sandboxes/sources.js';
import type { SandboxDriver } from '../../src/sandboxes/types.js';
import { sandbox } from './helpers.js';

describe('package folders of a sandbox', () => {
  it.each([
    ['/srv/fleet/artifacts/wheels'],
    ['C:\\fleet\\artifacts\\wheels'],
    ['d:/wheels'],
    ['/srv/fleet/my wheels'],
  ])('accepts %s', (f) => expect(checkSourceFolder(f)).toBe(f));

  it.each<[string, string, RegExp]>([
    ['relative', 'artifacts/wheels', /must be absolute/],
    ['drive-relative', 'C:wheels', /must be absolute/],
    ['UNC', '\\\\server\\share', /must be absolute/],
    ['a .. segment', '/srv/fleet/../etc', /`\.\.`/],
    ['a Windows .. segment', 'C:\\fleet\\..\\Windows', /`\.\.`/],
    ['the root', '/', /filesystem root/],
    ['a drive root', 'C:\\', /filesystem root/],
    ['a comma (the --mount separator)', '/srv/a,readonly=false', /","/],
    ['a quote', '/srv/"x"', /","/],
    ['a line break', '/srv/x\n--privileged', /line break/],
    ['empty', '', /empty/],
  ])('refuses %s', (_, f, msg) => expect(() => checkSourceFolder(f)).toThrow(expect.objectContaining({ code: 'E_VALIDATION', message: expect.stringMatching(msg) })));

  it('maps a folder to a fixed place under /gitfleet/sources, from the folder alone (pinned: containers already made rely on it)', () => {
    expect(sourceMountPoint('/srv/fleet/artifacts/wheels')).toBe(`${SOURCES_MOUNT_ROOT}/4361e54bdb663057`);
    expect(sourceMountPoint('C:\\fleet\\wheels')).toBe('/gitfleet/sources/36a300a91d42e1c8');
  });

  it('spellings of one folder share a place; different folders do not', () => {
    const p = sourceMountPoint('/srv/fleet/artifacts/wheels');
    expect(sourceMountPoint('/srv/fleet/artifacts/wheels/')).toBe(p);
    expect(sourceMountPoint('/srv/fleet/./artifacts//wheels')).toBe(p);
    expect(sourceMountPoint('C:/fleet/wheels')).toBe(sourceMountPoint('C:\\fleet\\wheels'));
    expect(sourceMountPoint('/srv/fleet/artifacts/npm')).not.toBe(p);
  });

  it('collects every manager\'s findLinks once, sorted, validated', () => {
    const pip: ManagerSources = { findLinks: ['/srv/b', '/srv/a'], noIndex: true };
    const npm: ManagerSources = { findLinks: ['/srv/a'], registry: 'https://npm.example.com/' };
    expect(sourceFolders([pip, undefined, npm, {}])).toEqual(['/srv/a', '/srv/b']);
    expect(distinctFolders([])).toEqual([]);
    expect(() => sourceFolders([{ findLinks: ['wheels'] }])).toThrow(/must be absolute/);
  });

  it.each([
    ['C:\\fleet\\artifacts\\wheels', '/mnt/c/fleet/artifacts/wheels'],
    ['D:/x/y/', '/mnt/d/x/y'],
    ['c:\\x\\.\\y', '/mnt/c/x/y'],
    ['/opt/wheels', '/opt/wheels'],
  ])('WSL sees %s as %s', (host, inside) => expect(wslPath(host)).toBe(inside));

  it('WSL cannot reach a UNC folder, and says so', () => {
    expect(() => wslPath('\\\\nas\\wheels')).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED', message: expect.stringMatching(/network \(UNC\) path/) }));
  });

  it('rewrites only findLinks', () => {
    const s: ManagerSources = { findLinks: ['C:\\w'], noIndex: true, indexUrl: 'https://pypi.example.com/simple' };
    expect(mapSourceFolders(s, wslPath)).toEqual({ findLinks: ['/mnt/c/w'], noIndex: true, indexUrl: 'https://pypi.example.com/simple' });
    expect(s.findLinks).toEqual(['C:\\w']);
  });

  it('asks the driver only when there are folders and it maps them', async () => {
    const asked: ManagerSources[] = [];
    const driver = { sourcesInside: async (_sb, s) => { asked.push(s); return { ...s, findLinks: ['/in'] }; } } as Pick<SandboxDriver, 'sourcesInside'> as SandboxDriver;
    const sb = sandbox({ type: 'docker', path: '/opt/gitfleet/sandboxes/trainer', image: 'alpine:3.20' });
    const ctx = { runner: { run: () => Promise.reject(new Error('no command expected')) } };
    expect(await sourcesInside(sb, driver, undefined, ctx)).toBeUndefined();
    expect(await sourcesInside(sb, driver, { noIndex: true }, ctx)).toEqual({ noIndex: true });
    expect(await sourcesInside(sb, driver, { findLinks: ['/host'] }, ctx)).toEqual({ findLinks: ['/in'] });
    expect(await sourcesInside(sb, {} as SandboxDriver, { findLinks: ['/host'] }, ctx)).toEqual({ findLinks: ['/host'] });
    expect(asked).toEqual([{ findLinks: ['/host'] }]);
  });
});

describe('folders in the fleet checkout are reached through one mount of the checkout (git replaces folders whole)', () => {
  const ROOT = '/var/lib/gitfleet/checkout';
  const WIN = 'C:\\gitfleet\\checkout';
  it.each<[string, string, string | undefined, string, string]>([
    ['a folder in the checkout', `${ROOT}/wheels`, ROOT, ROOT, `${sourceMountPoint(ROOT)}/wheels`],
    ['a folder deeper in it, spelled loosely', `${ROOT}/./artifacts//npm/`, ROOT, ROOT, `${sourceMountPoint(ROOT)}/artifacts/npm`],
    ['the checkout itself', ROOT, `${ROOT}/`, `${ROOT}/`, sourceMountPoint(ROOT)],
    ['a folder outside it', '/srv/wheels', ROOT, '/srv/wheels', sourceMountPoint('/srv/wheels')],
    ['a sibling sharing its prefix', `${ROOT}-old/wheels`, ROOT, `${ROOT}-old/wheels`, sourceMountPoint(`${ROOT}-old/wheels`)],
    ['a folder that leaves it with ..', `${ROOT}/../wheels`, ROOT, `${ROOT}/../wheels`, ''],
    ['no checkout known', `${ROOT}/wheels`, undefined, `${ROOT}/wheels`, sourceMountPoint(`${ROOT}/wheels`)],
    ['Windows, another case and slashes', 'c:/GitFleet/Checkout/wheels', WIN, WIN, `${sourceMountPoint(WIN)}/wheels`],
    ['Windows, another drive', 'D:\\gitfleet\\checkout\\wheels', WIN, 'D:\\gitfleet\\checkout\\wheels', sourceMountPoint('D:\\gitfleet\\checkout\\wheels')],
    ['a POSIX folder with a Windows checkout', '/srv/wheels', WIN, '/srv/wheels', sourceMountPoint('/srv/wheels')],
  ])('%s', (_name, folder, root, mounted, inside) => {
    expect(sourceMountFolder(folder, root)).toBe(mounted);
    if (inside) expect(sourcePathInside(folder, root)).toBe(inside);
    else expect(() => sourcePathInside(folder, root)).toThrow(/\.\./);
  });

  it('a relative folder is not taken for one in the checkout: it is left for checkSourceFolder to refuse', () => {
    expect(sourceMountFolder('wheels', ROOT)).toBe('wheels');
    expect(() => sourcePathInside('wheels', ROOT)).toThrow(/must be absolute/);
  });

  it('the checkout is mounted once however many of its folders are named', () => {
    expect(sourceMountFolders([`${ROOT}/a`, '/srv/x', `${ROOT}/b`, '/srv/x'], ROOT)).toEqual([ROOT, '/srv/x']);
  });
});
