// validate: a credentials key must be in secrets/<host>.yaml of every host whose effective sources name it (as
// resolution merges them: includes, later baselines, appliesTo); local-folder managers take no credentials.
import { describe, expect, it } from 'vitest';
import { validateMemory } from '../helpers/fleet.js';

const RECIPIENT = 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq';
// An age armored block (its header parses as age; nothing decrypts it here: validation never decrypts).
const ARMOR = [
  '-----BEGIN AGE ENCRYPTED FILE-----',
  'YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBkWm1IN0NhZ0dqcjBKb0Fw',
  'Q2xRV3pTUmZ0d2dCVWZ1eFhzQUtLZ2dNQlJBCmJ4Q0R2bWZ1b0V3VjNvR1B5SEtO',
  '-----END AGE ENCRYPTED FILE-----',
];

const host = (name: string, baselines: string[], extra = '') =>
  `apiVersion: gitfleet/v1\nkind: Host\nname: ${name}\nos: linux\narch: x64\nbaselines: [${baselines.join(', ')}]\nsandboxes: {py: {template: venv}}\nrecipient: ${RECIPIENT}\n${extra}`;
const baseline = (name: string, body: string) => `apiVersion: gitfleet/v1\nkind: Baseline\nname: ${name}\ntarget: sandbox:py\n${body}`;
const pip = (key: string) => `sources: {pip: {indexUrl: "https://pkgs.example.com/simple/", credentials: {secret: ${key}}}}\n`;
const secrets = (h: string, keys: string[]) =>
  `apiVersion: gitfleet/v1\nkind: Secrets\nname: ${h}\nsecrets:\n${keys.map((k) => `  ${k}:\n    value: |\n${ARMOR.map((l) => `      ${l}`).join('\n')}\n`).join('')}`;

function fleet(files: Record<string, string>): Record<string, string> {
  return {
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\n',
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'baselines/pkgs.yaml': baseline('pkgs', 'packages: {pip: {alpha: "1.0.0"}}\n'),
    ...files,
  };
}

/** `code file:line host-list` per diagnostic. */
async function problems(files: Record<string, string>): Promise<string[]> {
  const v = await validateMemory(fleet(files));
  return v.diagnostics.map((d) => {
    const m = /of hosts (.+?), which apply|host "([^"]+)" applies/.exec(d.message);
    return `${d.code} ${d.file}:${d.line} ${m?.[1] ?? m?.[2] ?? ''}`.trim();
  });
}

describe('validate: credentials keys per host', () => {
  it.each<[string, Record<string, string>, string[]]>([
    ['every host that applies it has the key: valid', {
      'hosts/h1.yaml': host('h1', ['pkgs', 'idx']), 'baselines/idx.yaml': baseline('idx', pip('TOK')), 'secrets/h1.yaml': secrets('h1', ['TOK']),
    }, []],
    ['a host without a secrets file', {
      'hosts/h1.yaml': host('h1', ['pkgs', 'idx']), 'baselines/idx.yaml': baseline('idx', pip('TOK')),
    }, ['ref.secret baselines/idx.yaml:5 h1']],
    ['two hosts lack it, one has it: one diagnostic naming both', {
      'hosts/h1.yaml': host('h1', ['idx']), 'hosts/h2.yaml': host('h2', ['idx']), 'hosts/h3.yaml': host('h3', ['idx']),
      'baselines/idx.yaml': baseline('idx', pip('TOK')), 'secrets/h2.yaml': secrets('h2', ['TOK']),
    }, ['ref.secret baselines/idx.yaml:5 h1, h3']],
    ['a baseline whose appliesTo skips the host asks nothing of it', {
      'hosts/h1.yaml': host('h1', ['pkgs', 'idx']), 'baselines/idx.yaml': baseline('idx', `appliesTo: {os: [macos]}\n${pip('TOK')}`),
    }, []],
    ['through an include: the reference is reported where it is written', {
      'hosts/h1.yaml': host('h1', ['top']), 'baselines/top.yaml': baseline('top', 'includes: [idx]\n'), 'baselines/idx.yaml': baseline('idx', pip('TOK')),
    }, ['ref.secret baselines/idx.yaml:5 h1']],
    ['a later baseline naming another key replaces the earlier one for that target', {
      'hosts/h1.yaml': host('h1', ['old', 'new']), 'baselines/old.yaml': baseline('old', pip('OLD')), 'baselines/new.yaml': baseline('new', pip('NEW')),
      'secrets/h1.yaml': secrets('h1', ['NEW']),
    }, []],
    // The reference is bound to the URLs written beside it: another index drops it, so no host needs its key.
    ['a later baseline with another index and no credentials drops the earlier reference', {
      'hosts/h1.yaml': host('h1', ['old', 'new']), 'baselines/old.yaml': baseline('old', pip('OLD')),
      'baselines/new.yaml': baseline('new', 'sources: {pip: {indexUrl: "https://other.example.com/simple/"}}\n'),
    }, []],
    ['a later baseline adding only findLinks keeps the earlier reference', {
      'hosts/h1.yaml': host('h1', ['old', 'new']), 'baselines/old.yaml': baseline('old', pip('OLD')),
      'baselines/new.yaml': baseline('new', 'sources: {pip: {findLinks: [wheels]}}\n'),
    }, ['ref.secret baselines/old.yaml:5 h1']],
    ['npm registry credentials', {
      'hosts/h1.yaml': host('h1', ['js']), 'baselines/js.yaml': baseline('js', 'sources: {npm: {registry: "https://npm.example.com/", credentials: {secret: NPM_TOKEN}}}\n'),
    }, ['ref.secret baselines/js.yaml:5 h1']],
    ['an include cycle is reported once and does not loop', {
      'hosts/h1.yaml': host('h1', ['a']), 'baselines/a.yaml': baseline('a', `includes: [b]\n${pip('TOK')}`), 'baselines/b.yaml': baseline('b', 'includes: [a]\n'),
      'secrets/h1.yaml': secrets('h1', ['TOK']),
    }, ['ref.include-cycle baselines/b.yaml:5']],
    ['credentials on a local-folder manager: an error wherever the baseline is used', {
      'hosts/h1.yaml': host('h1', ['pkgs']), 'baselines/conda.yaml': baseline('conda', 'sources: {conda: {findLinks: [pkgs], credentials: {secret: TOK}}}\n'),
    }, ['source.credentials-local baselines/conda.yaml:5']],
  ])('%s', async (_name, files, want) => {
    expect(await problems(files)).toEqual(want);
  });
});

/** `code file:line:column` per diagnostic, and the messages and hints. */
async function placed(files: Record<string, string>): Promise<{ at: string[]; text: string }> {
  const v = await validateMemory(fleet(files));
  return { at: v.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`), text: v.diagnostics.map((d) => `${d.message} — ${d.hint}`).join('\n') };
}

describe('validate: where credentials may go', () => {
  const h1 = (baselines: string[]) => ({ 'hosts/h1.yaml': host('h1', baselines), 'secrets/h1.yaml': secrets('h1', ['CORP']) });
  // `sources:` is line 5 of these baselines, `pip:` line 6, its fields from line 7
  const src = (lines: string[]) => `sources:\n  pip:\n${lines.map((l) => `    ${l}\n`).join('')}`;
  const npm = (lines: string[]) => `sources:\n  npm:\n${lines.map((l) => `    ${l}\n`).join('')}`;
  it.each<[string, Record<string, string>, string[], RegExp?]>([
    ['one private https index: valid', { ...h1(['idx']), 'baselines/idx.yaml': baseline('idx', src(['indexUrl: "https://pkgs.corp.example/simple/"', 'credentials: {secret: CORP}'])) }, []],
    ['pypi.org first, the private index named by credentials.index: valid', {
      ...h1(['idx']), 'baselines/idx.yaml': baseline('idx', src(['indexUrl: "https://pypi.org/simple/"', 'extraIndexUrls: ["https://pkgs.corp.example/simple/"]', 'credentials: {secret: CORP, index: "https://pkgs.corp.example/simple/"}'])),
    }, []],
    ['pypi.org first and a private extra index, not named: at `credentials`', {
      ...h1(['idx']), 'baselines/idx.yaml': baseline('idx', src(['indexUrl: "https://pypi.org/simple/"', 'extraIndexUrls: ["https://pkgs.corp.example/simple/"]', 'credentials: {secret: CORP}'])),
    }, ['source.credentials-index baselines/idx.yaml:9:5'], /on 2 origins .* index: "https:\/\/pkgs\.corp\.example\/simple\/"/],
    ['credentials.index names no URL of the source: at the index', {
      ...h1(['idx']), 'baselines/idx.yaml': baseline('idx', src(['indexUrl: "https://pkgs.corp.example/simple/"', 'credentials: {secret: CORP, index: "https://pkgs.corp.example/other/"}'])),
    }, ['source.credentials-index baselines/idx.yaml:8:40'], /is not one of this source's indexes/],
    ['pypi.org alone: at the URL', { ...h1(['idx']), 'baselines/idx.yaml': baseline('idx', src(['indexUrl: "https://pypi.org/simple/"', 'credentials: {secret: CORP}'])) },
      ['source.credentials-public baselines/idx.yaml:7:15'], /pypi\.org is a public index/],
    ['registry.npmjs.org: valid (private and org-scoped npm packages need a token there)', { ...h1(['idx']), 'baselines/idx.yaml': baseline('idx', npm(['registry: "https://registry.npmjs.org/"', 'credentials: {secret: CORP}'])) }, []],
    ['plain http to the credentialed index', { ...h1(['idx']), 'baselines/idx.yaml': baseline('idx', src(['indexUrl: "http://pkgs.corp.example/simple/"', 'credentials: {secret: CORP}'])) },
      ['source.credentials-http baselines/idx.yaml:7:15'], /would cross the network in clear text .* https:\/\/pkgs\.corp\.example\/simple\//],
    ['plain http to a loopback index: valid (it never leaves the machine)', { ...h1(['idx']), 'baselines/idx.yaml': baseline('idx', src(['indexUrl: "http://127.0.0.1:8080/simple/"', 'credentials: {secret: CORP}'])) }, []],
    ['plain http elsewhere on the credentialed host name', {
      ...h1(['idx']), 'baselines/idx.yaml': baseline('idx', src(['indexUrl: "https://pkgs.corp.example/simple/"', 'extraIndexUrls: ["https://pypi.org/simple/", "http://pkgs.corp.example:8080/simple/"]', 'credentials: {secret: CORP, index: "https://pkgs.corp.example/simple/"}'])),
    }, ['source.credentials-http baselines/idx.yaml:8:50'], /pip keeps credentials per host name/],
    ['a later baseline adding only credentials to an earlier baseline\'s index: at the later credentials', {
      ...h1(['corp', 'creds']), 'baselines/corp.yaml': baseline('corp', src(['indexUrl: "https://pkgs.corp.example/simple/"'])),
      'baselines/creds.yaml': baseline('creds', src(['credentials: {secret: CORP}'])),
    }, ['source.credentials-url baselines/creds.yaml:7:5'], /would go to a URL someone else chose/],
    ['the same through an include', {
      ...h1(['top']), 'baselines/top.yaml': baseline('top', `includes: [corp]\n${src(['credentials: {secret: CORP}'])}`),
      'baselines/corp.yaml': baseline('corp', src(['indexUrl: "https://pkgs.corp.example/simple/"'])),
    }, ['source.credentials-url baselines/top.yaml:8:5']],
    ['a later baseline\'s credentials merged with an earlier baseline\'s indexUrl: one diagnostic naming both hosts', {
      'hosts/h1.yaml': host('h1', ['mirror', 'corp']), 'hosts/h2.yaml': host('h2', ['mirror', 'corp']),
      'baselines/mirror.yaml': baseline('mirror', src(['indexUrl: "https://mirror.example/simple/"'])),
      'baselines/corp.yaml': baseline('corp', src(['extraIndexUrls: ["https://pkgs.corp.example/simple/"]', 'credentials: {secret: CORP}'])),
    }, ['source.credentials-mixed baselines/corp.yaml:8:5'], /on hosts h1, h2 these pip credentials would be merged with `indexUrl` from baselines\/mirror\.yaml/],
    ['the later baseline writes the same indexUrl itself: valid', {
      ...h1(['mirror', 'corp']), 'baselines/mirror.yaml': baseline('mirror', src(['indexUrl: "https://pypi.org/simple/"'])),
      'baselines/corp.yaml': baseline('corp', src(['indexUrl: "https://pypi.org/simple/"', 'extraIndexUrls: ["https://pkgs.corp.example/simple/"]', 'credentials: {secret: CORP, index: "https://pkgs.corp.example/simple/"}'])),
    }, []],
  ])('%s', async (_name, files, want, text) => {
    const got = await placed(files);
    expect(got.at).toEqual(want);
    if (text) expect(got.text).toMatch(text);
  });
});
