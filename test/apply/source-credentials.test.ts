// Index credentials by secret reference: the value format, which URLs get it, the messages when it cannot be had, and
// the commands the real adapters build with it (by equality).
import { describe, expect, it } from 'vitest';
import { commandsFor, inTarget, sourcesFor, type HostDeps } from '../../src/apply/context.js';
import { credentialUrls, credentialWarnings, parseCredential, withCredentials } from '../../src/apply/source-credentials.js';
import type { DesiredHost, DesiredSandbox } from '../../src/fleet/resolve.js';
import { effectivePolicy } from '../../src/fleet/policy-merge.js';
import type { Manager } from '../../src/fleet/model.generated.js';
import { loadManagers } from '../../src/managers/load.js';
import type { ManagerSources } from '../../src/managers/types.js';
import { loadDrivers } from '../../src/sandboxes/load.js';
import type { SecretLookup } from '../../src/secrets/read.js';
import type { Runner } from '../../src/util/exec.js';
import { GitfleetError } from '../../src/util/errors.js';

const store = (values: Record<string, string>): SecretLookup => async (key) => values[key];
const IDX = 'https://pkgs.example.com/simple/';

describe('parseCredential', () => {
  it.each<[Manager, string, { user: string; password: string }]>([
    ['pip', 'pypi-AgEtoken', { user: '__token__', password: 'pypi-AgEtoken' }],
    ['pip', 'deploy-user:gldt-s3cret', { user: 'deploy-user', password: 'gldt-s3cret' }],
    ['pip', 'aws:tok:with:colons', { user: 'aws', password: 'tok:with:colons' }],
    ['pip', 'tok\n', { user: '__token__', password: 'tok' }],
    ['pip', ':tok', { user: '__token__', password: 'tok' }],
    ['npm', 'npm_abc123', { user: '', password: 'npm_abc123' }],
    ['npm', 'alice:pw', { user: 'alice', password: 'pw' }],
  ])('%s %j', (m, raw, want) => {
    expect(parseCredential(m, raw, 'K')).toEqual(want);
  });

  it.each(['', '\n', 'a\nb', 'user:', ':', 'tab\there'])('refuses %j, naming the key and never the value', (raw) => {
    const err = (() => { try { parseCredential('pip', raw, 'IDX_TOKEN'); } catch (e) { return e as GitfleetError; } })();
    expect(err).toBeInstanceOf(GitfleetError);
    expect(err!.message).toContain('"IDX_TOKEN"');
    if (raw.length > 2) expect(err!.message).not.toContain(raw);
  });
});

/** Sources as a baseline writes them: the reference may name its index (PipCredentials.index). */
type Src = ManagerSources & { credentials?: { secret: string; index?: string } };
const CORP = 'https://pkgs.corp.example/simple/';
const PYPI = 'https://pypi.org/simple/';

describe('credentialUrls: where a token may go', () => {
  it.each<[string, Manager, Src, string[]]>([
    ['the index alone', 'pip', { indexUrl: IDX }, [IDX]],
    ['extra indexes on the same origin', 'pip', { indexUrl: IDX, extraIndexUrls: ['https://pkgs.example.com/other/simple/'] }, [IDX, 'https://pkgs.example.com/other/simple/']],
    ['pypi.org first, the private index named by credentials.index: only the private one', 'pip',
      { indexUrl: PYPI, extraIndexUrls: [CORP], credentials: { secret: 'K', index: CORP } }, [CORP]],
    ['credentials.index matches without its trailing slash', 'pip',
      { indexUrl: PYPI, extraIndexUrls: [CORP], credentials: { secret: 'K', index: CORP.slice(0, -1) } }, [CORP]],
    ['a private index named by index, with another URL on its origin', 'pip',
      { indexUrl: CORP, extraIndexUrls: [PYPI, 'https://pkgs.corp.example/ml/simple/'], credentials: { secret: 'K', index: CORP } }, [CORP, 'https://pkgs.corp.example/ml/simple/']],
    ['plain http to a loopback address', 'pip', { indexUrl: 'http://127.0.0.1:8080/simple/' }, ['http://127.0.0.1:8080/simple/']],
    ['npm: the registry', 'npm', { registry: 'https://npm.example.com/' }, ['https://npm.example.com/']],
    ['npm: registry.npmjs.org (private and org-scoped packages need a token there)', 'npm', { registry: 'https://registry.npmjs.org/' }, ['https://registry.npmjs.org/']],
  ])('%s', (_what, m, s, want) => {
    expect(credentialUrls(m, s, 'K')).toEqual(want);
  });

  // Each of these is a validation error too (test/fleet/credentials-check.test.ts); on the host it must never reach a URL.
  it.each<[string, Manager, Src, RegExp]>([
    ['no index at all', 'pip', { findLinks: ['/wheels'], noIndex: true }, /sources\.pip\.credentials: pip credentials \(secret "K"\) have no index URL beside them/],
    ['a file index', 'pip', { indexUrl: 'file:///srv/simple' }, /need an http\(s\) index to go to, not file:\/\/\/srv\/simple/],
    ['no registry', 'npm', { findLinks: ['/tgz'] }, /have no registry URL beside them/],
    ['a local-folder manager', 'apt', { findLinks: ['/debs'] }, /apt sources are local folders only/],
    ['pypi.org first and a private extra index, not named: which one is ambiguous', 'pip', { indexUrl: PYPI, extraIndexUrls: [CORP] },
      /lists indexes on 2 origins \(https:\/\/pypi\.org, https:\/\/pkgs\.corp\.example\).*index: "https:\/\/pkgs\.corp\.example\/simple\/"/],
    ['two private origins, not named', 'pip', { indexUrl: 'http://127.0.0.1:8080/simple/', extraIndexUrls: ['http://127.0.0.1:9090/simple/'] }, /on 2 origins/],
    ['credentials.index names no URL of the source', 'pip', { indexUrl: CORP, credentials: { secret: 'K', index: 'https://other.example/simple/' } }, /sources\.pip\.credentials\.index: credentials\.index "https:\/\/other\.example\/simple\/" is not one of this source's indexes/],
    ['pypi.org alone', 'pip', { indexUrl: PYPI }, /pypi\.org is a public index/],
    ['files.pythonhosted.org', 'pip', { extraIndexUrls: ['https://files.pythonhosted.org/simple/'] }, /files\.pythonhosted\.org is a public index/],
    ['credentials.index names pypi.org', 'pip', { indexUrl: PYPI, extraIndexUrls: [CORP], credentials: { secret: 'K', index: PYPI } }, /pypi\.org is a public index/],
    ['plain http', 'pip', { indexUrl: 'http://pkgs.example.com/simple/' }, /http:\/\/pkgs\.example\.com\/simple\/ is plain http/],
    ['npm over plain http', 'npm', { registry: 'http://npm.example.com/' }, /is plain http/],
    ['plain http on the credentialed host name, another port', 'pip',
      { indexUrl: 'https://pkgs.example.com/simple/', extraIndexUrls: ['http://pkgs.example.com:8080/simple/'], credentials: { secret: 'K', index: 'https://pkgs.example.com/simple/' } },
      /sources\.pip\.extraIndexUrls\.0: http:\/\/pkgs\.example\.com:8080\/simple\/ is plain http on pkgs\.example\.com, the host the credentials/],
    ['loopback: another port of the same host name over http', 'pip',
      { indexUrl: 'http://127.0.0.1:8080/simple/', extraIndexUrls: ['http://127.0.0.1:9090/simple/'], credentials: { secret: 'K', index: 'http://127.0.0.1:8080/simple/' } }, /plain http on 127\.0\.0\.1/],
  ])('%s: refused', (_what, m, s, re) => {
    expect(() => credentialUrls(m, s, 'K')).toThrow(re);
  });
});

describe('withCredentials', () => {
  const scope = { manager: 'pip' as const, where: 'sandbox:py' };

  it('puts the value into the URLs as percent-encoded user-info and drops the reference', async () => {
    const got = await withCredentials({ indexUrl: IDX, credentials: { secret: 'IDX' } }, scope, store({ IDX: 'bob:p@ss/w:rd' }));
    expect(got).toEqual({ indexUrl: 'https://bob:p%40ss%2Fw%3Ard@pkgs.example.com/simple/' });
    const npm = await withCredentials({ registry: 'https://npm.example.com/', credentials: { secret: 'NPM' } }, { manager: 'npm', where: 'system' }, store({ NPM: 'npm_tok' }));
    expect(npm).toEqual({ registry: 'https://:npm_tok@npm.example.com/' });
  });

  it('pypi.org as indexUrl and the private index as an extra one: the token goes only where credentials.index says', async () => {
    const s: Src = { indexUrl: PYPI, extraIndexUrls: [CORP], credentials: { secret: 'CORP', index: CORP } };
    expect(await withCredentials(s, scope, store({ CORP: 'corp-tok' }))).toEqual({ indexUrl: PYPI, extraIndexUrls: ['https://__token__:corp-tok@pkgs.corp.example/simple/'] });
  });

  it('a source validation would refuse: E_VALIDATION before the secret is even read', async () => {
    const lookup: SecretLookup = async () => { throw new Error('the store must not be read'); };
    for (const s of [{ indexUrl: PYPI, extraIndexUrls: [CORP] }, { indexUrl: PYPI }, { indexUrl: 'http://pkgs.corp.example/simple/' }]) {
      await expect(withCredentials({ ...s, credentials: { secret: 'CORP' } }, scope, lookup)).rejects.toMatchObject({ code: 'E_VALIDATION', message: expect.stringContaining('secret "CORP"') });
    }
  });

  it('sources without a reference pass through untouched (no store needed)', async () => {
    const s = { indexUrl: IDX };
    expect(await withCredentials(s, scope, undefined)).toBe(s);
    expect(await withCredentials(undefined, scope, undefined)).toBeUndefined();
  });

  it('a key the store does not have: E_NOT_FOUND naming the key and the index, never another value', async () => {
    const err = await withCredentials({ indexUrl: IDX, credentials: { secret: 'IDX' } }, scope, store({ OTHER: 'other-value' })).catch((e: unknown) => e as GitfleetError);
    expect(err).toMatchObject({ code: 'E_NOT_FOUND' });
    expect((err as Error).message).toMatch(/pip index https:\/\/pkgs\.example\.com\/simple\/ \(sandbox:py, sources\.pip\.credentials\) needs secret "IDX", which this host's secret store does not have/);
    expect((err as Error).message).not.toContain('other-value');
  });

  it('off a host (no store): E_UNSUPPORTED saying the private index could not be queried without credentials', async () => {
    await expect(withCredentials({ indexUrl: IDX, credentials: { secret: 'IDX' } }, { manager: 'pip', where: 'baseline py' }, undefined))
      .rejects.toMatchObject({ code: 'E_UNSUPPORTED', message: expect.stringMatching(/baseline py.*needs secret "IDX", which only the hosts' secret stores hold: it could not be queried here without credentials/) });
  });

  it('a value that is no credential: the message names the key, not the value', async () => {
    const err = await withCredentials({ indexUrl: IDX, credentials: { secret: 'IDX' } }, scope, store({ IDX: 'line-one\nline-two' })).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'E_VALIDATION', message: expect.stringContaining('secret "IDX" holds a line break') });
    expect(err?.message).not.toMatch(/line-one|line-two/);
  });
});

const sb: DesiredSandbox = { name: 'py', template: 'venv', type: 'venv', path: '/opt/gitfleet/sandboxes/py', env: {}, secrets: [] };
const noRunner: Runner = { run: () => { throw new Error('no process may run'); } };

async function deps(secrets?: SecretLookup): Promise<HostDeps> {
  return { runner: noRunner, manager: await loadManagers(['pip', 'npm']), driver: await loadDrivers(['venv']), fleetDir: '/fleet', ...(secrets ? { secrets } : {}) };
}

describe('commandsFor resolves the reference right before the command is built', () => {
  const sources = sourcesFor({ pip: { indexUrl: IDX, findLinks: ['wheels'], credentials: { secret: 'IDX' } } }, 'pip', '/fleet')!;

  it('sourcesFor keeps the reference, never a value', () => {
    expect(sources).toEqual({ indexUrl: IDX, findLinks: ['/fleet/wheels'], credentials: { secret: 'IDX' } });
  });

  it('an install: the token goes to PIP_INDEX_URL, argv stays clean', async () => {
    const cmds = await commandsFor([sb], await deps(store({ IDX: 's3cr3t-tok' })), 'sandbox:py', 'pip', [{ kind: 'install', name: 'alpha', version: '1.0.0' }], sources);
    expect(cmds).toEqual([{
      file: '/opt/gitfleet/sandboxes/py/bin/python',
      args: ['-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', '--find-links', '/fleet/wheels', 'alpha==1.0.0'],
      env: { PIP_INDEX_URL: 'https://__token__:s3cr3t-tok@pkgs.example.com/simple/' },
    }]);
  });

  it('removals reach no index: no secret needed', async () => {
    const cmds = await commandsFor([sb], await deps(store({})), 'sandbox:py', 'pip', [{ kind: 'remove', name: 'alpha' }], sources);
    expect(cmds.map((c) => c.args.slice(2, 4))).toEqual([['uninstall', '-y']]);
  });

  it('a missing secret fails the batch with the key named', async () => {
    await expect(commandsFor([sb], await deps(store({})), 'sandbox:py', 'pip', [{ kind: 'install', name: 'alpha', version: '1.0.0' }], sources))
      .rejects.toMatchObject({ code: 'E_NOT_FOUND', message: expect.stringContaining('needs secret "IDX"') });
  });

  it('npm: a bare token becomes the registry\'s _authToken in npm\'s environment', async () => {
    const npmSources = sourcesFor({ npm: { registry: 'https://npm.example.com/', credentials: { secret: 'NPM' } } }, 'npm', '/fleet');
    const cmds = await commandsFor([], await deps(store({ NPM: 'npm_tok' })), 'system', 'npm', [{ kind: 'install', name: 'left-pad', version: '1.3.0' }], npmSources);
    expect(cmds[0]!.args).toContain('https://npm.example.com/');
    expect(cmds[0]!.args.join(' ')).not.toContain('npm_tok');
    expect(cmds[0]!.env).toEqual({ 'npm_config_//npm.example.com/:_authToken': 'npm_tok' });
  });
});

describe('inside a docker sandbox: the command that reaches the engine', () => {
  it('the token is in the docker client\'s environment and named by -e, not in docker exec\'s argv', async () => {
    const box: DesiredSandbox = { name: 'trainer', template: 't', type: 'docker', path: '/opt/gitfleet/sandboxes/trainer', image: 'python:3.11-slim', env: {}, secrets: [] };
    const d: HostDeps = { runner: noRunner, manager: await loadManagers(['pip']), driver: await loadDrivers(['docker']), fleetDir: '/fleet', env: { PIP_CONFIG_FILE: '/dev/null' }, secrets: store({ IDX: 'user:s3cr3t' }) };
    const src = sourcesFor({ pip: { indexUrl: IDX, credentials: { secret: 'IDX' } } }, 'pip', '/fleet');
    const [cmd] = await commandsFor([box], d, 'sandbox:trainer', 'pip', [{ kind: 'install', name: 'alpha', version: '1.0.0' }], src);
    const run = inTarget([box], d, 'sandbox:trainer', cmd!);
    expect(run.file).toBe('docker');
    expect(run.args).toEqual(['exec', '-e', 'PIP_CONFIG_FILE=/dev/null', '-e', 'PIP_INDEX_URL', 'gitfleet-trainer', 'python3', '-m', 'pip', 'install', '--no-input', '--disable-pip-version-check', 'alpha==1.0.0']);
    expect(run.env).toEqual({ PIP_INDEX_URL: 'https://user:s3cr3t@pkgs.example.com/simple/' });
  });
});

describe('credentialWarnings', () => {
  const host = (sources: DesiredHost['targets'][number]['sources'], withPackages = true): DesiredHost => ({
    name: 'h1', os: 'linux', arch: 'x64', labels: {}, capabilities: [], agent: { interval: '30s', driftInterval: '5m' },
    baselines: [], policies: [], policy: effectivePolicy([]), sandboxes: [sb],
    targets: [{ target: 'sandbox:py', sources, packages: withPackages ? [{ manager: 'pip', name: 'alpha', spec: '1.0.0', origin: { file: 'baselines/py.yaml', path: ['packages', 'pip', 'alpha'], via: 'baseline py' } }] : [] }],
  });

  it('one warning per target and manager whose secret the store lacks; none when it has it or nothing uses it', async () => {
    const s = { pip: { indexUrl: IDX, credentials: { secret: 'IDX' } } };
    expect(await credentialWarnings(host(s), store({}))).toEqual([
      { target: 'sandbox:py', manager: 'pip', code: 'source.credentials', message: expect.stringContaining('needs secret "IDX"') },
    ]);
    expect(await credentialWarnings(host(s), store({ IDX: 'tok' }))).toEqual([]);
    expect(await credentialWarnings(host(s, false), store({}))).toEqual([]);
    expect(await credentialWarnings(host({ pip: { indexUrl: IDX } }), store({}))).toEqual([]);
  });
});
