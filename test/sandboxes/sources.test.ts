import { describe, expect, it } from 'vitest';
import type { ManagerSources } from '../../src/managers/types.js';
import {
  SOURCES_MOUNT_ROOT, checkSourceFolder, distinctFolders, mapSourceFolders, sourceFolders, sourceMountPoint, sourcesInside, wslPath,
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
