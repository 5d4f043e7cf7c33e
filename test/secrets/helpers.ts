// Shared bits for secrets tests: temp dirs and the Debian age CLI through the real runner.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execRunner, runChecked } from '../../src/util/exec.js';

/** A fresh temp dir. */
export function tempDir(prefix = 'gitfleet-secrets-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Runs Debian's `age` with `input` on stdin; returns stdout. */
export async function ageCli(args: string[], input: string): Promise<string> {
  return (await runChecked(execRunner, { file: 'age', args, input, timeoutMs: 30_000 })).stdout;
}

/** Flips one base64 character inside the payload (the last body line) of an armored age value. */
export function tamperPayload(armored: string): string {
  const lines = armored.split('\n');
  const i = lines.findIndex((l) => l.startsWith('-----END')) - 1;
  const l = lines[i]!;
  const pos = Math.max(0, l.length - 6);
  lines[i] = l.slice(0, pos) + (l[pos] === 'A' ? 'B' : 'A') + l.slice(pos + 1);
  return lines.join('\n');
}
