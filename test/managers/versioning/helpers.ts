import { expect } from 'vitest';
import type { VersionScheme } from '../../../src/managers/types.js';

/** A small deterministic PRNG (mulberry32), so generated cases are the same on every run. */
export function seeded(seed: number): { next(): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean } {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
    chance: (p: number) => next() < p,
  };
}

/** Random pairs drawn from a pool, plus every version against itself once. */
export function pairsFrom(pool: readonly string[], count: number, seed: number): [string, string][] {
  const r = seeded(seed);
  const out: [string, string][] = pool.map((v) => [v, v]);
  while (out.length < count + pool.length) out.push([r.pick(pool), r.pick(pool)]);
  return out;
}

/** Asserts that `chain` is strictly ascending under `scheme`, checking every pair both ways. */
export function expectAscending(scheme: VersionScheme, chain: readonly string[]): void {
  for (let i = 0; i < chain.length; i++) {
    for (let j = 0; j < chain.length; j++) {
      const a = chain[i] as string;
      const b = chain[j] as string;
      const want = Math.sign(i - j);
      expect(Math.sign(scheme.compare(a, b)) || 0, `${a} vs ${b}`).toBe(want || 0);
    }
  }
}

/** `<`, `=` or `>` as -1, 0, 1. */
export function opSign(op: '<' | '=' | '>'): number {
  return op === '<' ? -1 : op === '>' ? 1 : 0;
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the results in order. */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
