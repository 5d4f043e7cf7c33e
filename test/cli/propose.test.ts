import { describe, expect, it } from 'vitest';
import { render } from '../../src/cli/propose.js';
import type { ProposeUpdatesResult } from '../../src/propose/updates.js';

describe('propose updates: the human summary', () => {
  it('does not claim every pin is newest when version look-ups failed, and names what failed', () => {
    const res: ProposeUpdatesResult = {
      outcomes: [],
      skipped: [
        { manager: 'pip', name: 'numpy', baseline: 'python-ml', lookupFailed: true, reason: 'look-up failed: cannot fetch https://pypi.org/simple/numpy/: fetch failed' },
        { manager: 'npm', name: 'prettier', baseline: 'node-tools', version: '3.4.0', reason: 'younger than the policy\'s minimumReleaseAge (or no release date)' },
      ],
    };
    const text = render(res, true);
    expect(text).not.toMatch(/every pin is the newest/);
    expect(text).toMatch(/1 package\(s\) could not be looked up/);
    expect(text).toMatch(/pip numpy \(python-ml\): look-up failed: cannot fetch https:\/\/pypi\.org\/simple\/numpy\/: fetch failed/);
    expect(text).toMatch(/1 newer version\(s\) not proposed/);
  });

  it('says which branch was left alone because someone else modified it, and which was closed as superseded', () => {
    const modified = 'branch gitfleet/py-patch was modified by someone else (commit 0123456789ab by ann@example.org); gitfleet does not update it. Delete the branch to let gitfleet recreate it';
    const text = render({
      outcomes: [
        { branch: 'gitfleet/py-patch', title: 't1', type: 'patch', action: 'modified', reason: modified, labels: [], candidates: [] },
        { branch: 'gitfleet/web-patch', title: 't2', type: 'patch', action: 'superseded', reason: 'superseded by gitfleet/web-minor: web/npm:x → 1.2.0', labels: [], candidates: [] },
      ],
      skipped: [],
    }, false);
    expect(text.split('\n').slice(0, 2)).toEqual([
      `left alone (modified by someone else): gitfleet/py-patch  t1  (${modified})`,
      'closed (superseded): gitfleet/web-patch  t2  (superseded by gitfleet/web-minor: web/npm:x → 1.2.0)',
    ]);
  });

  it('says nothing is to propose when every look-up answered', () => {
    const text = render({ outcomes: [], skipped: [] }, true);
    expect(text).toMatch(/^Nothing to propose: every pin is the newest version policy allows\./);
    expect(text).not.toMatch(/could not be looked up/);
  });
});
