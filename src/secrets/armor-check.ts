// A cheap structural check for validation: does an armored block hold an age file? No key, no decryption.

const AGE_HEADER = 'age-encryption.org/v1\n';

/** True when `armored` is PEM-armored and its first bytes are the age v1 header line. */
export function looksAgeEncrypted(armored: string): boolean {
  const m = /^-----BEGIN AGE ENCRYPTED FILE-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END AGE ENCRYPTED FILE-----\r?\n?$/.exec(armored.trim() + '\n');
  if (!m) return false;
  const body = m[1]!.replace(/\s+/g, '');
  // 32 base64 characters decode to 24 bytes, enough for the header line.
  return Buffer.from(body.slice(0, 32), 'base64').toString('latin1').startsWith(AGE_HEADER);
}
