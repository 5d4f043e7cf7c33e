import { describe, expect, it } from 'vitest';
import { sandboxSourceFolders } from '../../src/apply/sandbox-sources.js';
import type { DesiredTarget } from '../../src/fleet/resolve.js';

const targets: DesiredTarget[] = [
  { target: 'system', packages: [], sources: { pip: { findLinks: ['/srv/system-wheels'] } } },
  { target: 'sandbox:py', packages: [], sources: { pip: { findLinks: ['artifacts/wheels', '/srv/wheels'], noIndex: true }, npm: { findLinks: ['artifacts/tgz'] } } },
  { target: 'sandbox:bare', packages: [], sources: {} },
];

describe('sandboxSourceFolders', () => {
  it.each([
    ['every manager\'s findLinks of that target, relative ones made absolute against the checkout', 'sandbox:py', ['/fleet/artifacts/wheels', '/srv/wheels', '/fleet/artifacts/tgz']],
    ['a target without package folders', 'sandbox:bare', []],
    ['a target no baseline names', 'sandbox:other', []],
  ])('%s', (_name, target, want) => {
    expect(sandboxSourceFolders(targets, target, '/fleet')).toEqual(want);
  });
});
