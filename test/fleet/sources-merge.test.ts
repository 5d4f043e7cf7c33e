// Resolution merges a target's sources across baselines field by field, but a credentials reference stays bound to the
// URLs written beside it: one baseline's secret must never end up next to an index another baseline chose.
import { describe, expect, it } from 'vitest';
import { resolveHost, type DesiredTarget } from '../../src/fleet/resolve.js';
import { mergeSources, noSources, ownSources, type MergedSources, type MixedCredentials } from '../../src/fleet/sources-merge.js';
import { validateMemory } from '../helpers/fleet.js';

const CORP = 'https://pypi.corp.example/simple/';
const PYPI = 'https://pypi.org/simple/';

const host = (baselines: string[]) => `apiVersion: gitfleet/v1\nkind: Host\nname: h1\nos: linux\narch: x64\nbaselines: [${baselines.join(', ')}]\nsandboxes: {py: {template: venv}}\n`;
const baseline = (name: string, body: string) => `apiVersion: gitfleet/v1\nkind: Baseline\nname: ${name}\ntarget: sandbox:py\n${body}`;

/** The resolved sandbox:py target of host h1 and resolution's own diagnostics. */
async function resolved(baselines: string[], files: Record<string, string>): Promise<{ target: DesiredTarget; codes: string[] }> {
  const v = await validateMemory({
    'fleet.yaml': 'apiVersion: gitfleet/v1\nkind: Fleet\nname: t\n',
    'sandboxes/venv.yaml': 'apiVersion: gitfleet/v1\nkind: SandboxTemplate\nname: venv\ntype: {linux: venv}\npath: {linux: "{state}/sandboxes/{name}"}\n',
    'hosts/h1.yaml': host(baselines),
    ...files,
  });
  const r = resolveHost(v.model, 'h1');
  const target = r.host!.targets.find((t) => t.target === 'sandbox:py')!;
  return { target, codes: r.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}`) };
}

const corp = baseline('corp', `sources: {pip: {indexUrl: "${CORP}", credentials: {secret: CORP}}}\n`);

describe('resolve: credentials stay with their own URLs', () => {
  it.each<[string, string[], Record<string, string>, unknown]>([
    ['a later baseline\'s indexUrl drops the earlier credentials (the corp token never goes to pypi.org)', ['corp', 'tools'], {
      'baselines/corp.yaml': corp, 'baselines/tools.yaml': baseline('tools', `sources: {pip: {indexUrl: "${PYPI}"}}\n`),
    }, { pip: { indexUrl: PYPI } }],
    ['the same through includes', ['top'], {
      'baselines/corp.yaml': corp, 'baselines/top.yaml': baseline('top', `includes: [corp]\nsources: {pip: {indexUrl: "${PYPI}"}}\n`),
    }, { pip: { indexUrl: PYPI } }],
    ['a later baseline\'s extraIndexUrls drop them too', ['corp', 'tools'], {
      'baselines/corp.yaml': corp, 'baselines/tools.yaml': baseline('tools', `sources: {pip: {extraIndexUrls: ["${PYPI}"]}}\n`),
    }, { pip: { indexUrl: CORP, extraIndexUrls: [PYPI] } }],
    ['npm: a later registry drops the earlier token', ['corp', 'tools'], {
      'baselines/corp.yaml': baseline('corp', 'sources: {npm: {registry: "https://npm.corp.example/", credentials: {secret: NPM}}}\n'),
      'baselines/tools.yaml': baseline('tools', 'sources: {npm: {registry: "https://registry.npmjs.org/"}}\n'),
    }, { npm: { registry: 'https://registry.npmjs.org/' } }],
    ['a later baseline adding only credentials to an earlier baseline\'s URL: not sent', ['mirror', 'creds'], {
      'baselines/mirror.yaml': baseline('mirror', `sources: {pip: {indexUrl: "${CORP}"}}\n`),
      'baselines/creds.yaml': baseline('creds', 'sources: {pip: {credentials: {secret: CORP}}}\n'),
    }, { pip: { indexUrl: CORP } }],
    ['a later baseline adding only findLinks keeps them', ['corp', 'tools'], {
      'baselines/corp.yaml': corp, 'baselines/tools.yaml': baseline('tools', 'sources: {pip: {findLinks: [wheels]}}\n'),
    }, { pip: { indexUrl: CORP, findLinks: ['wheels'], credentials: { secret: 'CORP' } } }],
    ['a later baseline writing the same indexUrl keeps them', ['corp', 'tools'], {
      'baselines/corp.yaml': corp, 'baselines/tools.yaml': baseline('tools', `sources: {pip: {indexUrl: "${CORP}"}}\n`),
    }, { pip: { indexUrl: CORP, credentials: { secret: 'CORP' } } }],
    ['a later baseline with its own index and credentials replaces both', ['corp', 'other'], {
      'baselines/corp.yaml': corp, 'baselines/other.yaml': baseline('other', 'sources: {pip: {indexUrl: "https://other.example/simple/", credentials: {secret: OTHER}}}\n'),
    }, { pip: { indexUrl: 'https://other.example/simple/', credentials: { secret: 'OTHER' } } }],
  ])('%s', async (_what, baselines, files, want) => {
    expect((await resolved(baselines, files)).target.sources).toEqual(want);
  });

  it('a later baseline\'s credentials meeting an earlier indexUrl: dropped, and resolution says so', async () => {
    const { target, codes } = await resolved(['mirror', 'corp'], {
      'baselines/mirror.yaml': baseline('mirror', `sources: {pip: {indexUrl: "${PYPI}"}}\n`),
      'baselines/corp.yaml': baseline('corp', `sources: {pip: {extraIndexUrls: ["${CORP}"], credentials: {secret: CORP}}}\n`),
    });
    expect(target.sources).toEqual({ pip: { indexUrl: PYPI, extraIndexUrls: [CORP] } });
    expect(codes).toEqual(['source.credentials-mixed baselines/corp.yaml:5']);
  });

  it('sourcesFrom says where the URLs and the credentials in effect were written', async () => {
    const { target } = await resolved(['corp', 'tools'], {
      'baselines/corp.yaml': corp, 'baselines/tools.yaml': baseline('tools', 'sources: {pip: {findLinks: [wheels]}}\n'),
    });
    expect(target.sourcesFrom).toEqual({
      pip: {
        indexUrl: { file: 'baselines/corp.yaml', path: ['sources', 'pip', 'indexUrl'], via: 'baseline corp' },
        credentials: { file: 'baselines/corp.yaml', path: ['sources', 'pip', 'credentials'], via: 'baseline corp', which: 'key' },
      },
    });
    const dropped = await resolved(['corp', 'tools'], { 'baselines/corp.yaml': corp, 'baselines/tools.yaml': baseline('tools', `sources: {pip: {indexUrl: "${PYPI}"}}\n`) });
    expect(dropped.target.sourcesFrom).toEqual({ pip: { indexUrl: { file: 'baselines/tools.yaml', path: ['sources', 'pip', 'indexUrl'], via: 'baseline tools' } } });
  });
});

describe('mergeSources: frozen values, shared where nothing merges', () => {
  const corpOwn = () => ownSources({ pip: { indexUrl: CORP, credentials: { secret: 'CORP' } } }, 'baselines/corp.yaml', 'baseline corp');
  const pypiOwn = () => ownSources({ pip: { indexUrl: PYPI } }, 'baselines/tools.yaml', 'baseline tools');

  it('no sources (absent or empty) is one frozen object', () => {
    expect(ownSources(undefined, 'f', 'v')).toBe(noSources());
    expect(ownSources({}, 'f', 'v')).toBe(noSources());
    expect(noSources()).toEqual({ sources: {}, from: {} });
    expect([noSources(), noSources().sources, noSources().from].every(Object.isFrozen)).toBe(true);
  });

  it('a baseline\'s own sources are frozen copies, with frozen origins', () => {
    const written = { pip: { indexUrl: CORP, credentials: { secret: 'CORP' } } };
    const own = ownSources(written, 'baselines/corp.yaml', 'baseline corp');
    expect(own.sources).toEqual(written);
    expect((own.sources as typeof written).pip).not.toBe(written.pip);
    expect(Object.isFrozen(written.pip)).toBe(false);
    const o = own.from.pip!.credentials!;
    expect(o).toEqual({ file: 'baselines/corp.yaml', path: ['sources', 'pip', 'credentials'], via: 'baseline corp', which: 'key' });
    expect([own, own.sources, (own.sources as typeof written).pip, own.from, own.from.pip, o, o.path].every(Object.isFrozen)).toBe(true);
  });

  it.each<[string, () => [MergedSources, MergedSources], 'a' | 'b']>([
    ['nothing over a source is that source', () => [corpOwn(), noSources()], 'a'],
    ['a source over nothing is that source, credentials and all', () => [noSources(), corpOwn()], 'b'],
  ])('%s', (_what, make, side) => {
    const [a, b] = make();
    expect(mergeSources(a, b)).toBe(side === 'a' ? a : b);
  });

  it('sources of two managers are merged into new frozen values', () => {
    const [a, b] = [corpOwn(), ownSources({ npm: { registry: 'https://npm.example/' } }, 'f', 'v')];
    const merged = mergeSources(a, b);
    expect(merged).not.toBe(a);
    expect(merged.sources).toEqual({ ...a.sources, ...b.sources });
    expect(merged.from).toEqual({ ...a.from, ...b.from });
    expect([merged, merged.sources, merged.from, ...Object.values(merged.sources), ...Object.values(merged.from)].every(Object.isFrozen)).toBe(true);
  });

  it('a merge that drops credentials returns frozen values and reports a frozen record', () => {
    const mixed: MixedCredentials[] = [];
    const late = ownSources({ pip: { extraIndexUrls: [CORP], credentials: { secret: 'CORP' } } }, 'baselines/late.yaml', 'baseline late');
    const merged = mergeSources(pypiOwn(), late, mixed);
    expect(merged.sources).toEqual({ pip: { indexUrl: PYPI, extraIndexUrls: [CORP] } });
    expect(merged.from.pip?.credentials).toBeUndefined();
    expect(mixed).toEqual([{ manager: 'pip', credentials: late.from.pip!.credentials, foreign: [{ field: 'indexUrl', at: pypiOwn().from.pip!.indexUrl }] }]);
    expect([merged, merged.sources, (merged.sources as { pip: object }).pip, merged.from, merged.from.pip, mixed[0], mixed[0]!.foreign, mixed[0]!.foreign[0]].every(Object.isFrozen)).toBe(true);
    // the inputs are as they were
    expect(pypiOwn().sources).toEqual({ pip: { indexUrl: PYPI } });
    expect(late.sources).toEqual({ pip: { extraIndexUrls: [CORP], credentials: { secret: 'CORP' } } });
  });
});
