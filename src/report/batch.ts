import { createHash } from 'node:crypto';

/** One requested object of `git cat-file --batch`: its text, or why it could not be had. */
export type BatchItem = { text: string } | { error: string };

/**
 * Splits `git cat-file --batch` output for `requested` names (e.g. `<commit>:status.json`), in order.
 * Content is checked against the object id in its header: a blob that was not UTF-8 (damaged by the Runner's
 * text decoding) is reported, and parsing stops there, since its byte count can no longer be trusted; the
 * returned list is then shorter than `requested` and the caller reads the rest on their own.
 */
export function parseBatchOutput(stdout: string, requested: readonly string[]): BatchItem[] {
  const buf = Buffer.from(stdout, 'utf8');
  const out: BatchItem[] = [];
  let pos = 0;
  for (const name of requested) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) break;
    const header = buf.toString('latin1', pos, nl);
    pos = nl + 1;
    const m = /^([0-9a-f]{40}|[0-9a-f]{64}) (\w+) (\d+)$/.exec(header);
    if (!m) {
      // "<name> missing" or "<name> ambiguous": no content follows.
      out.push({ error: header.startsWith(`${name} `) ? `${header.slice(name.length + 1)}` : `unexpected cat-file output "${header.slice(0, 80)}"` });
      continue;
    }
    const [, oid, type, sizeText] = m as unknown as [string, string, string, string];
    const size = Number(sizeText);
    const body = buf.subarray(pos, pos + size);
    pos += size + 1;
    if (type !== 'blob') {
      out.push({ error: `is a ${type}, not a file` });
      continue;
    }
    if (body.length !== size || objectId(oid.length, type, body) !== oid) {
      out.push({ error: 'status.json is not UTF-8 text' });
      break;
    }
    out.push({ text: body.toString('utf8') });
  }
  return out;
}

function objectId(hexLength: number, type: string, body: Buffer): string {
  const h = createHash(hexLength === 64 ? 'sha256' : 'sha1');
  h.update(`${type} ${body.length}\0`);
  h.update(body);
  return h.digest('hex');
}
