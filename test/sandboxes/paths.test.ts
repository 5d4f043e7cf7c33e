import { describe, expect, it } from 'vitest';
import { allDrivers } from '../../src/sandboxes/api.js';
import { checkSandboxName, checkSandboxPath } from '../../src/sandboxes/paths.js';
import { execRunner } from '../../src/util/exec.js';
import { NOW, sandbox } from './helpers.js';

describe('checkSandboxPath', () => {
  it.each(['/opt/gitfleet/sandboxes/a', 'C:\\gitfleet\\sandboxes\\a', 'D:/x/y', '/tmp/a/./b'])('accepts %s', (p) => expect(checkSandboxPath(p)).toBe(p));

  it.each<[string, RegExp]>([
    ['/opt/gitfleet/../etc', /`\.\.`/],
    ['C:\\gitfleet\\..\\Windows', /`\.\.`/],
    ['/opt/..', /`\.\.`/],
    ['relative/path', /absolute/],
    ['./x', /absolute/],
    ['C:relative', /absolute/],
    ['//server/share', /absolute/],
    ['', /empty/],
    ['/opt/a\0b', /NUL/],
    ['/', /root/],
    ['C:\\', /root/],
    ['/./', /root/],
  ])('refuses %j', (p, msg) => {
    expect(() => checkSandboxPath(p)).toThrow(msg);
    expect(() => checkSandboxPath(p)).toThrow(expect.objectContaining({ code: 'E_VALIDATION' }));
  });
});

describe('checkSandboxName', () => {
  it.each(['trainer', 'a', 'ml-2.x_y'])('accepts %s', (n) => expect(checkSandboxName(n)).toBe(n));
  it.each(['', 'Trainer', '-x', 'x-', 'a b', 'a/b', 'x'.repeat(64)])('refuses %j', (n) => expect(() => checkSandboxName(n)).toThrow(/sandbox name/));
});

describe('every driver refuses a path with `..` before touching anything', () => {
  it.each(allDrivers().map((d) => [d.type, d] as const))('%s', async (_, driver) => {
    const calls: string[] = [];
    const runner = { run: async (cmd: Parameters<typeof execRunner.run>[0]) => { calls.push(cmd.file); return execRunner.run(cmd); } };
    const sb = sandbox({ type: driver.type, path: '/tmp/gitfleet-never/../escaped', image: 'alpine:3.20', distribution: 'Ubuntu' });
    await expect(driver.create(sb, { runner, now: NOW })).rejects.toMatchObject({ code: 'E_VALIDATION', message: expect.stringMatching(/`\.\.`/) });
    await expect(driver.remove(sb, { runner })).rejects.toMatchObject({ code: 'E_VALIDATION' });
    expect(() => driver.exec(sb, { file: 'true', args: [] })).toThrow(/`\.\.`/);
    expect(calls).toEqual([]);
  });
});
