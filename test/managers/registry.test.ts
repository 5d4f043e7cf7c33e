import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allManagers, getManager } from '../../src/managers/api.js';
import type { ManagerId } from '../../src/managers/types.js';

// Every adapter folder has the same files (Renovate's lib/modules/manager/<id>/ convention); an adapter may
// split a large concern into more files beside them (pip's installed.ts), but never lack one of these.
const FILE_SET = ['commands.ts', 'index.ts', 'parse.ts', 'versions.ts'];
// Keep in step with the ManagerId union in src/managers/types.ts (the `satisfies` check catches a typo).
const MANAGER_IDS = ['pip', 'npm', 'apt', 'dnf', 'brew', 'choco', 'winget', 'conda', 'gem'] as const satisfies readonly ManagerId[];

const managersDir = new URL('../../src/managers/', import.meta.url);
const folders = readdirSync(managersDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'versioning')
  .map((d) => d.name)
  .sort();

describe('package manager registry', () => {
  it('finds adapter folders to check', () => {
    expect(folders.length).toBeGreaterThan(0);
  });

  it.each(folders)('src/managers/%s/ has index, commands, parse and versions', (folder) => {
    const files = readdirSync(new URL(`${folder}/`, managersDir)).sort();
    expect(FILE_SET.filter((f) => !files.includes(f))).toEqual([]);
  });

  it.each(folders)('src/managers/%s/ is registered in api.ts', (folder) => {
    expect(allManagers().map((a) => a.id)).toContain(folder);
  });

  it.each(MANAGER_IDS)('ManagerId %s has a folder and a registered adapter', (id) => {
    expect(folders).toContain(id);
    expect(getManager(id).id).toBe(id);
  });

  it('registers each id once, and nothing that is not a ManagerId', () => {
    const ids = allManagers().map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(MANAGER_IDS).toContain(id);
  });

  it.each(allManagers().map((a) => [a.id, a] as const))('%s: a version scheme, a name rule and the adapter surface', (_id, a) => {
    expect(typeof a.versions.compare).toBe('function');
    expect(typeof a.versions.parse).toBe('function');
    expect(typeof a.versions.valid).toBe('function');
    expect(a.os.length).toBeGreaterThan(0);
    for (const fn of [a.normalizeName, a.validName, a.detect, a.listInstalled, a.listAvailable, a.commands]) expect(typeof fn).toBe('function');
    // A name that starts like an option must never reach a command line.
    expect(a.validName('--help')).toBe(false);
  });
});
