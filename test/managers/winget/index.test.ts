import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wingetAdapter } from '../../../src/managers/winget/index.js';
import { execRunner } from '../../../src/util/exec.js';

const fixture = (f: string): string => readFileSync(new URL(`../../fixtures/winget/${f}`, import.meta.url), 'utf8');

/**
 * A fake winget (a Node script): `export -o FILE ...` writes the captured export to FILE, `show` prints
 * the captured table; any other call fails loudly.
 */
async function fakeWinget(dir: string, exportText: string | undefined): Promise<void> {
  const src = `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
if (args[0] === 'export' && args[1] === '-o' && same(args.slice(3), ['--include-versions', '--accept-source-agreements'])) {
  ${exportText === undefined ? "process.stdout.write('Failed to write export'); process.exit(5);" : `fs.writeFileSync(args[2], ${JSON.stringify(exportText)}); process.exit(0);`}
}
if (same(args, ['show', '--id', 'Git.Git', '--exact', '--versions', '--accept-source-agreements'])) { process.stdout.write(${JSON.stringify(fixture('show-versions-git.txt'))}); process.exit(0); }
if (same(args, ['show', '--id', 'No.Such', '--exact', '--versions', '--accept-source-agreements'])) { process.stdout.write(${JSON.stringify(fixture('show-not-found.txt'))}); process.exit(20); }
if (same(args, ['--version'])) { process.stdout.write('v1.7.10861\\n'); process.exit(0); }
process.stderr.write('fake winget: unexpected arguments ' + JSON.stringify(args) + '\\n'); process.exit(99);
`;
  await writeFile(join(dir, 'winget'), src);
  await chmod(join(dir, 'winget'), 0o755);
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitfleet-winget-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('winget through its CLI (a fake winget on PATH)', () => {
  it('lists installed packages through an export file', async () => {
    const bin = join(tmp, 'ok');
    await mkdir(bin);
    await fakeWinget(bin, fixture('export.json'));
    const list = await wingetAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env: { PATH: bin } });
    expect(list.via).toBe('command');
    expect(list.packages['git.git']).toBe('2.41.0');
    expect(await wingetAdapter.detect({ runner: execRunner, env: { PATH: bin } })).toEqual({ present: true, version: '1.7.10861' });
  });

  it('fails with the command in the error when winget writes no file, and E_PARSE on a garbage file', async () => {
    const none = join(tmp, 'none');
    await mkdir(none);
    await fakeWinget(none, undefined);
    await expect(wingetAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env: { PATH: none } }))
      .rejects.toMatchObject({ code: 'E_COMMAND_FAILED', message: expect.stringContaining('winget export -o') });
    const bad = join(tmp, 'bad');
    await mkdir(bad);
    await fakeWinget(bad, 'garbage');
    await expect(wingetAdapter.listInstalled({ kind: 'system' }, { runner: execRunner, env: { PATH: bad } })).rejects.toMatchObject({ code: 'E_PARSE' });
  });

  it('lists available versions, and nothing for an unknown id', async () => {
    const bin = join(tmp, 'ok');
    expect((await wingetAdapter.listAvailable('Git.Git', { runner: execRunner, env: { PATH: bin } }))[0]).toEqual({ version: '2.44.0' });
    expect(await wingetAdapter.listAvailable('No.Such', { runner: execRunner, env: { PATH: bin } })).toEqual([]);
  });

  it('refuses targets other than the system', async () => {
    await expect(wingetAdapter.listInstalled({ kind: 'root', path: tmp }, { runner: execRunner })).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });
});
