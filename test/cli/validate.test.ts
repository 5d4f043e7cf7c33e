import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { githubAnnotation } from '../../src/cli/validate.js';
import { execRunner, runChecked } from '../../src/util/exec.js';
import { buildCase } from '../fixtures/invalid/_build.js';
import { runCli } from '../helpers/cli.js';

const PROJECT = join(import.meta.dirname, '../..');
const BASE_FLEET = join(PROJECT, 'test/fixtures/invalid/_base');

const run = (argv: string[], cwd = PROJECT) => runCli(argv, { cwd, env: { ...process.env, NO_COLOR: '1' } });

let tmp: string;
beforeAll(async () => { tmp = await mkdtemp(join(tmpdir(), 'gitfleet-cli-validate-')); });
afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

describe('gitfleet validate', () => {
  it('exits 0 on the example fleet and prints the summary line', async () => {
    const r = await run(['validate', 'fleet']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('fleet acme-lab is valid: 5 hosts, 8 baselines, 4 sandbox templates, 3 policies, 0 secret files\n');
  });

  it('exits 1 on an invalid fleet with one `file:line:col code: message — hint` line per problem', async () => {
    const root = await mkdtemp(join(tmp, 'text-'));
    await buildCase('dangling-baseline', root);
    const r = await run(['validate', 'fleet'], root);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      'fleet/hosts/web-01.yaml:7:25 ref.baseline: baseline "app-pyhton" does not exist — did you mean "app-python"?',
      '1 problem in 1 file',
      '',
    ]);
  });

  it('--format json has {valid, diagnostics} with repo positions', async () => {
    const root = await mkdtemp(join(tmp, 'json-'));
    const dir = await buildCase('include-cycle', root);
    const r = await run(['validate', dir, '--format', 'json'], root);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out) as { valid: boolean; diagnostics: { code: string; file: string; line: number; column: number; message: string; hint: string }[] };
    expect(out.valid).toBe(false);
    expect(out.diagnostics).toEqual([expect.objectContaining({ code: 'ref.include-cycle', file: 'fleet/baselines/hardening.yaml', line: 5, column: 12, hint: expect.any(String) })]);

    const ok = JSON.parse((await run(['validate', 'fleet', '--format', 'json'])).out) as { valid: boolean; diagnostics: unknown[] };
    expect(JSON.parse((await run(['validate', 'fleet', '--json'])).out)).toEqual(ok);
    const both = await run(['validate', 'fleet', '--json', '--format', 'github']);
    expect(both.code).not.toBe(0);
    expect(both.err).toContain('--json and --format github contradict each other');
    expect(ok).toMatchObject({ valid: true, diagnostics: [] });
  });

  it('--format github prints ::error annotations with `,` `:` `%` escaped in properties', async () => {
    const root = await mkdtemp(join(tmp, 'github-'));
    // a folder name with the characters GitHub's workflow commands reserve
    await cp(BASE_FLEET, join(root, 'f,1:5%'), { recursive: true });
    await writeFile(join(root, 'f,1:5%', 'hosts', 'web-01.yaml'), 'apiVersion: gitfleet/v1\nkind: Hots\nname: web-01\n');
    const r = await run(['validate', 'f,1:5%', '--format', 'github'], root);
    expect(r.code).toBe(1);
    const [first, ...rest] = r.out.trimEnd().split('\n');
    expect(first).toBe('::error file=f%2C1%3A5%25/hosts/web-01.yaml,line=2,col=7,title=doc.unknown-kind::unknown kind "Hots" — did you mean "Host"?');
    expect(rest.at(-1)).toMatch(/^\d+ problems? in \d+ files?$/);
  });

  it('escapes `%`, CR and LF in annotation data and `,` `:` in properties', () => {
    const line = githubAnnotation({ code: 'x.y', file: 'a,b:c.yaml', line: 3, column: 4, message: '100% wrong\r\nsecond line', hint: 'a: b, c' });
    expect(line).toBe('::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=x.y::100%25 wrong%0D%0Asecond line — a: b, c');
    expect(line).not.toMatch(/[\r\n]/);
  });

  it('--rev validates a git revision: HEAD~1 valid, HEAD (a broken change) invalid', async () => {
    const repo = await mkdtemp(join(tmp, 'repo-'));
    await cp(BASE_FLEET, repo, { recursive: true });
    const env = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
    const git = (...args: string[]) => runChecked(execRunner, { file: 'git', args, cwd: repo, env });
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'valid fleet');
    await writeFile(join(repo, 'hosts', 'web-01.yaml'), 'apiVersion: gitfleet/v1\nkind: Host\nname: web-01\nos: linux\narch: x64\nwave: canari\n');
    await git('commit', '-q', '-am', 'typo in the wave');
    // the working tree is the broken one too: restore the valid file on disk so only --rev decides
    await git('show', 'HEAD~1:hosts/web-01.yaml').then((r) => writeFile(join(repo, 'hosts', 'web-01.yaml'), r.stdout));

    const before = await run(['validate', repo, '--rev', 'HEAD~1']);
    expect(before.code).toBe(0);
    expect(before.out).toMatch(/^fleet test-lab is valid: 1 hosts/);

    const after = await run(['validate', repo, '--rev', 'HEAD']);
    expect(after.code).toBe(1);
    expect(after.out).toContain('hosts/web-01.yaml:6:7 ref.wave: wave "canari" is not a wave of fleet.yaml — did you mean "canary"?');

    const onDisk = await run(['validate', repo]);
    expect(onDisk.code).toBe(0);
  });

  it('an unknown flag exits 1 with the usage', async () => {
    const r = await run(['validate', 'fleet', '--bogus']);
    expect(r.code).toBe(1);
    expect(r.err).toContain("Unknown option '--bogus'");
    expect(r.err).toContain('Usage: gitfleet validate');
    expect(r.out).toBe('');
  });

  it('an unknown --format exits 1 with the usage', async () => {
    const r = await run(['validate', 'fleet', '--format', 'xml']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('--format must be text, json or github');
    expect(r.err).toContain('Usage: gitfleet validate');
  });
});

describe('gitfleet resolve', () => {
  it("--host demo prints the demo host's packages with file:line:col origins", async () => {
    const r = await run(['resolve', '--host', 'demo', 'fleet']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^host demo \(linux\/x64, wave canary\)/);
    expect(r.out).toMatch(/npm gitfleet-demo-banner\s+1\.0\.0\s+baselines\/demo-node\.yaml:12:5\n/);
    expect(r.out).toMatch(/pip gitfleet-demo-greeting\s+1\.1\.0\s+baselines\/demo-python\.yaml:12:5\n/);
    expect(r.out).toMatch(/pip gitfleet-demo-clock\s+2\.0\.0\s+baselines\/demo-python\.yaml:13:5\n/);
  });

  it('--host with a typo says the host is not in the fleet, with a did-you-mean', async () => {
    const r = await run(['resolve', '--host', 'gpu-trainer-1', 'fleet']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('host "gpu-trainer-1" is not in the fleet; did you mean "gpu-trainer-01"?');
  });

  it('--host nosuch says so and lists the hosts', async () => {
    const r = await run(['resolve', '--host', 'nosuch', 'fleet']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('host "nosuch" is not in the fleet');
    expect(r.err).toContain('demo, edge-arm-01, gpu-trainer-01, mac-laptop-01, ws-win11-01');
    expect(r.out).toBe('');
  });
});

describe('validate --rev of a fleet in a folder of the repository', () => {
  it('reads that folder at the revision, names files from the repository root, and says when the folder is missing', async () => {
    const { mkdtemp, cp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { testRepo } = await import('../helpers/git.js');
    const tmp = await mkdtemp(join(tmpdir(), 'gitfleet-validate-sub-'));
    try {
      const repo = await testRepo(join(tmp, 'r'));
      await repo.commit({ 'README.md': 'not a fleet\n' });
      await cp(join(import.meta.dirname, '../../fleet'), join(repo.work, 'fleet'), { recursive: true });
      await repo.commit({}, 'the fleet');
      const demo = (await import('node:fs')).readFileSync(join(repo.work, 'fleet/hosts/demo.yaml'), 'utf8');
      await repo.commit({ 'fleet/hosts/demo.yaml': demo.replace('os: linux', 'os: linx') });
      const run = (argv: string[]) => runCli(['validate', ...argv], { cwd: repo.work });
      const head = await run(['fleet', '--rev', 'HEAD', '--format', 'github']);
      expect(head.code).toBe(1);
      expect(head.out).toMatch(/^::error file=fleet\/hosts\/demo\.yaml,line=\d+,col=5,title=schema\.enum::/m);
      expect((await run(['fleet', '--rev', 'HEAD~1'])).code).toBe(0);
      const missing = await run(['fleet', '--rev', 'HEAD~2']);
      expect(missing.code).toBe(1);
      expect(missing.err).toMatch(/has no folder fleet\//);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
