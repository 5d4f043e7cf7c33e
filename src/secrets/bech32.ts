// Bech32 (BIP 173) checksum, enough to tell a real age X25519 recipient from a look-alike.
// Pure and dependency-free so the validation core can use it; no cryptography happens here.

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATOR[i]!;
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const codes = [...hrp].map((c) => c.charCodeAt(0));
  return [...codes.map((c) => c >> 5), 0, ...codes.map((c) => c & 31)];
}

/** Decodes a lower-case bech32 string to its prefix and payload bytes; undefined when the checksum or padding is wrong. */
export function bech32Decode(s: string): { prefix: string; bytes: Uint8Array } | undefined {
  if (s !== s.toLowerCase()) return undefined;
  const sep = s.lastIndexOf('1');
  if (sep < 1 || s.length - sep - 1 < 6) return undefined;
  const prefix = s.slice(0, sep);
  const words: number[] = [];
  for (const c of s.slice(sep + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) return undefined;
    words.push(v);
  }
  if (polymod([...hrpExpand(prefix), ...words]) !== 1) return undefined;
  const bytes = fromWords(words.slice(0, -6));
  return bytes ? { prefix, bytes } : undefined;
}

/** Encodes bytes as bech32 with a prefix (used by tests and benchmarks to make valid recipients). */
export function bech32Encode(prefix: string, bytes: Uint8Array): string {
  const words = toWords(bytes);
  const mod = polymod([...hrpExpand(prefix), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const check = [0, 1, 2, 3, 4, 5].map((i) => (mod >>> (5 * (5 - i))) & 31);
  return `${prefix}1${[...words, ...check].map((w) => CHARSET[w]).join('')}`;
}

/** True when `s` is an age X25519 recipient: `age1` + bech32 of 32 bytes with a valid checksum. */
export function isAgeX25519Recipient(s: string): boolean {
  const d = bech32Decode(s);
  return d !== undefined && d.prefix === 'age' && d.bytes.length === 32;
}

function toWords(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) { bits -= 5; out.push((acc >>> bits) & 31); }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out.push((acc << (5 - bits)) & 31);
  return out;
}

function fromWords(words: readonly number[]): Uint8Array | undefined {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = (acc << 5) | w;
    bits += 5;
    while (bits >= 8) { bits -= 8; out.push((acc >>> bits) & 255); }
    acc &= (1 << bits) - 1;
  }
  // BIP 173: at most 4 bits of padding, and they must be zero.
  if (bits >= 5 || acc !== 0) return undefined;
  return Uint8Array.from(out);
}
