import { describe, expect, it } from 'vitest';
import { dockerCpus, dockerMemory } from '../../src/sandboxes/quantity.js';

describe('dockerMemory', () => {
  it.each([
    ['8Gi', '8g'],
    ['512Mi', '512m'],
    ['7000Ki', '7000k'],
    ['1.5Gi', String(1.5 * 2 ** 30)],
    ['2Ti', String(2 * 2 ** 40)],
    ['2G', '2000000000'],
    ['500M', '500000000'],
    ['10485760', '10485760'],
    ['08Gi', '8g'],
  ])('%s → %s', (q, want) => expect(dockerMemory(q)).toBe(want));

  it.each([
    ['8 GB', /not a quantity/],
    ['8gi', /not a quantity/],
    ['-1Gi', /not a quantity/],
    ['', /not a quantity/],
    ['1Mi', /below docker's minimum/],
    ['0', /below docker's minimum/],
  ])('refuses %j', (q, msg) => expect(() => dockerMemory(q)).toThrow(msg));
});

describe('dockerCpus', () => {
  it.each([[4, '4'], [0.5, '0.5'], [1.25, '1.25']])('%s → %s', (n, want) => expect(dockerCpus(n)).toBe(want));
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s', (n) => expect(() => dockerCpus(n)).toThrow(/positive/));
});
