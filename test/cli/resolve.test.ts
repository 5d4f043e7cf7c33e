// gitfleet resolve: where each index URL and credentials reference in effect was written, in text and JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const FILES: Record<string, string> = {
  'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\n',
  'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
  'hosts/h1.yaml': 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [corp, tools, py]\nsandboxes: {py: {template: venv}}\n',
  'baselines/corp.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: corp\ntarget: sandbox:py\nsources:\n  pip:\n    indexUrl: "https://pypi.corp.example/simple/"\n    credentials: {secret: CORP}\n',
  // a later baseline with another index: the corp reference must not stay beside pypi.org
  'baselines/tools.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: tools\ntarget: sandbox:py\nsources:\n  pip:\n    indexUrl: "https://pypi.org/simple/"\n  npm:\n    registry: "https://npm.corp.example/"\n    credentials: {secret: NPM}\n',
  'baselines/py.yaml': 'apiVersion: gitfleet/v1\nkind: Baseline\nname: py\ntarget: sandbox:py\npackages: {pip: {alpha: "1.0.0"}}\n',
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitfleet-cli-resolve-'));
  for (const [path, text] of Object.entries(FILES)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  // hosts with credentials need their keys (validation); these are placeholders nothing decrypts
  await writeFile(join(dir, 'hosts/h1.yaml'), `${FILES['hosts/h1.yaml']}recipient: age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq\n`);
  const armor = '      -----BEGIN AGE ENCRYPTED FILE-----\n      YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBkWm1IN0NhZ0dqcjBKb0Fw\n      Q2xRV3pTUmZ0d2dCVWZ1eFhzQUtLZ2dNQlJBCmJ4Q0R2bWZ1b0V3VjNvR1B5SEtO\n      -----END AGE ENCRYPTED FILE-----\n';
  await mkdir(join(dir, 'secrets'));
  await writeFile(join(dir, 'secrets/h1.yaml'), `apiVersion: gitfleet/v1\nkind: Secrets\nname: h1\nsecrets:\n  NPM:\n    value: |\n${armor}`);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const run = (argv: string[]) => runCli(argv, { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });

describe('gitfleet resolve: sources and credentials with where they came from', () => {
  it('text: each URL and the reference in effect, with file:line:column; the dropped corp reference is gone', async () => {
    const r = await run(['resolve', '--host', 'h1', '.']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n').filter((l) => l.startsWith('  sources '));
    expect(lines).toEqual([
      '  sources pip.indexUrl     https://pypi.org/simple/   baselines/tools.yaml:7:15',
      '  sources npm.registry     https://npm.corp.example/  baselines/tools.yaml:9:15',
      '  sources npm.credentials  secret NPM                 baselines/tools.yaml:10:5',
    ]);
    expect(r.out).not.toContain('CORP');
  });

  it('--json: sourcesFrom with positions, like packages\' `from`', async () => {
    const r = await run(['resolve', '--host', 'h1', '.', '--json']);
    expect(r.code).toBe(0);
    const t = (JSON.parse(r.out) as { targets: { target: string; sources: unknown; sourcesFrom: unknown }[] }).targets.find((x) => x.target === 'sandbox:py')!;
    expect(t.sources).toEqual({ pip: { indexUrl: 'https://pypi.org/simple/' }, npm: { registry: 'https://npm.corp.example/', credentials: { secret: 'NPM' } } });
    expect(t.sourcesFrom).toEqual({
      pip: { indexUrl: { file: 'baselines/tools.yaml', line: 7, column: 15, via: 'baseline tools' } },
      npm: {
        registry: { file: 'baselines/tools.yaml', line: 9, column: 15, via: 'baseline tools' },
        credentials: { file: 'baselines/tools.yaml', line: 10, column: 5, via: 'baseline tools' },
      },
    });
  });
});
