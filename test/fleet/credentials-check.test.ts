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
    ['a later baseline without credentials keeps the earlier reference', {
      'hosts/h1.yaml': host('h1', ['old', 'new']), 'baselines/old.yaml': baseline('old', pip('OLD')),
      'baselines/new.yaml': baseline('new', 'sources: {pip: {indexUrl: "https://other.example.com/simple/"}}\n'),
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
