import { isUtf8 } from 'node:buffer';
import type { Position } from './load.js';

/** Bytes as text, or why they are not text and where. */
export type DecodedText =
  | { text: string }
  | { problem: 'nul' | 'utf8'; offset: number; at: Position };

/** Decodes UTF-8 strictly: a NUL byte or an invalid sequence is a problem; a leading BOM is dropped. */
export function decodeText(bytes: Uint8Array): DecodedText {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nul = buf.indexOf(0);
  const text = buf.toString('utf8');
  // Report the first bad byte, whichever kind: a PNG's 0x89 at byte 0 comes before its first NUL.
  const bad = isUtf8(buf) ? -1 : firstInvalidByte(buf, text);
  if (bad >= 0 && (nul < 0 || bad < nul)) return { problem: 'utf8', offset: bad, at: bytePosition(buf, bad) };
  if (nul >= 0) return { problem: 'nul', offset: nul, at: bytePosition(buf, nul) };
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** The first byte that decoding replaced with U+FFFD (skipping genuine U+FFFD characters). */
function firstInvalidByte(buf: Buffer, lossy: string): number {
  for (let i = lossy.indexOf('\ufffd'); i >= 0; i = lossy.indexOf('\ufffd', i + 1)) {
    const offset = Buffer.byteLength(lossy.slice(0, i), 'utf8');
    if (!(buf[offset] === 0xef && buf[offset + 1] === 0xbf && buf[offset + 2] === 0xbd)) return offset;
  }
  return 0;
}

/** 1-based line and byte column of a byte offset. */
function bytePosition(buf: Buffer, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = buf.indexOf(0x0a); i >= 0 && i < offset; i = buf.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
