import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/apply.js';

describe('apply progress on a terminal', () => {
  it('draws a bar when a batch starts and completes it in place when it ends', () => {
    const start = progressLine({ phase: 'batch-start', index: 2, total: 4, target: 'sandbox:py', manager: 'pip', count: 3 });
    const done = progressLine({ phase: 'batch-done', index: 2, total: 4, target: 'sandbox:py', manager: 'pip' });
    expect(start).toBe('\r\u001b[2K[#####---------------] 2/4 sandbox:py pip: 3 change(s)…');
    expect(done).toBe('\r\u001b[2K[##########----------] 2/4 sandbox:py pip: done\n');
    expect(progressLine({ phase: 'batch-failed', index: 4, total: 4, target: 'system', manager: 'apt', detail: 'exit 100' })).toContain('FAILED: exit 100\n');
  });
});
