// The raw diff-tree parsing and the directory-rename guard behind the fallback merge's rename following.
import { describe, expect, it } from 'vitest';
import { addedIntoMovedFolders, parseRaw } from '../../src/propose/providers/git-renames.js';

const A = 'a'.repeat(40);
const Z = '0'.repeat(40);

describe('parseRaw', () => {
  it('reads renames (with their new blob), adds, deletes and copies; modifications are not listed', () => {
    const out = [
      `:100644 100644 ${A} ${'b'.repeat(40)} R086`, 'baselines/py.yaml', 'baselines/python.yaml',
      `:000000 100644 ${Z} ${A} A`, 'hosts/new host.yaml',
      `:100644 000000 ${A} ${Z} D`, 'secrets/old.yaml',
      `:100644 100755 ${A} ${A} M`, 'hosts/h1.yaml',
      `:100644 100644 ${A} ${A} C100`, 'hosts/h1.yaml', 'hosts/h2.yaml',
      '',
    ].join('\0');
    const got = parseRaw(out);
    expect(got.renames).toEqual(new Map([['baselines/py.yaml', { path: 'baselines/python.yaml', mode: '100644', sha: 'b'.repeat(40) }]]));
    expect(got.added).toEqual(['hosts/new host.yaml', 'hosts/h2.yaml']);
    expect(got.deleted).toEqual(new Set(['secrets/old.yaml']));
  });

  it('fails loudly on output it does not know rather than guessing', () => {
    expect(() => parseRaw('something else\0x\0')).toThrow(/unexpected git diff-tree output/);
  });
});

describe('addedIntoMovedFolders', () => {
  const side = (renames: Array<[string, string]>, added: string[] = []) => ({
    renames: new Map(renames.map(([from, to]) => [from, { path: to, mode: '100644', sha: A }])), added, deleted: new Set<string>(),
  });
  it.each<[string, ReturnType<typeof side>, ReturnType<typeof side>, string[]]>([
    ['a file added where the base moved files out of', side([], ['hosts/new.yaml']), side([['hosts/h1.yaml', 'machines/h1.yaml']]), ['hosts/new.yaml']],
    ['a rename within the same folder moves nothing', side([], ['hosts/new.yaml']), side([['hosts/h1.yaml', 'hosts/h1-old.yaml']]), []],
    ['an add elsewhere', side([], ['secrets/new.yaml']), side([['hosts/h1.yaml', 'machines/h1.yaml']]), []],
    ['no renames at all', side([], ['hosts/new.yaml']), side([]), []],
  ])('%s', (_name, head, base, want) => {
    expect(addedIntoMovedFolders(head, base)).toEqual(want);
  });
});
