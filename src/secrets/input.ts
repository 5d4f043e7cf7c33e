// Where a secret value comes from: stdin (a pipe), a hidden prompt on a terminal, or random bytes. Never an argument.
import { randomBytes } from 'node:crypto';
import { GitfleetError } from '../util/errors.js';

/** Character sets for generated values. */
export type Charset = 'alnum' | 'hex' | 'base64url';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A random value of `length` characters from `charset` (crypto.randomBytes; rejection sampling, so no bias). */
export function generateValue(length: number, charset: Charset = 'alnum'): string {
  if (!Number.isInteger(length) || length < 8 || length > 4096) throw new GitfleetError('E_USAGE', '--generate takes a length from 8 to 4096');
  const alphabet = charset === 'hex' ? '0123456789abcdef' : charset === 'base64url' ? B64URL : ALNUM;
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit) out += alphabet[b % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A readable stream that may be a terminal. */
export type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/**
 * Reads a value: all of stdin when it is a pipe (one final newline dropped, as `echo` adds it), or a
 * prompt with echo off when it is a terminal.
 */
export async function readValue(input: Input, prompt: NodeJS.WritableStream, label: string): Promise<string> {
  const value = input.isTTY && input.setRawMode ? await hiddenPrompt(input, prompt, label) : dropNewline(await readAll(input));
  if (value === '') throw new GitfleetError('E_USAGE', 'no value given: pipe it on stdin (printf %s "$VALUE" | gitfleet secret set ...) or type it at the prompt');
  return value;
}

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of input) chunks.push(typeof c === 'string' ? Buffer.from(c) : c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function dropNewline(s: string): string {
  return s.endsWith('\r\n') ? s.slice(0, -2) : s.endsWith('\n') ? s.slice(0, -1) : s;
}

function hiddenPrompt(input: Input, prompt: NodeJS.WritableStream, label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      input.setRawMode!(false);
      input.removeListener('data', onData);
      input.pause();
      prompt.write('\n');
      if (err) reject(err); else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new GitfleetError('E_USAGE', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    prompt.write(`${label}: `);
    input.setRawMode!(true);
    input.resume();
    input.on('data', onData);
  });
}
