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

  it('says nothing is to propose when every look-up answered', () => {
    const text = render({ outcomes: [], skipped: [] }, true);
    expect(text).toMatch(/^Nothing to propose: every pin is the newest version policy allows\./);
    expect(text).not.toMatch(/could not be looked up/);
  });
});
