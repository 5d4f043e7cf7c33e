// Shared bits for secrets tests: temp dirs and the Debian age CLI through the real runner.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
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

/** `secrets/<host>.yaml` text with one payload character of `key`'s value flipped (everything else byte for byte). */
export function tamperedSecretsFile(text: string, key: string): string {
  const value = (parse(text) as { secrets: Record<string, { value: string }> }).secrets[key]!.value;
  const line = (v: string) => v.trimEnd().split('\n').slice(-2, -1)[0]!;
  const out = text.replace(line(value), line(tamperPayload(value)));
  if (out === text) throw new Error(`could not tamper with ${key}`);
  return out;
}
