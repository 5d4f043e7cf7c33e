// Editing `secrets/<host>.yaml` and `hosts/<host>.yaml` with the yaml Document API, so comments,
// key order and formatting of everything not touched stay as they were.
import { Document, isMap, isScalar, LineCounter, parseDocument, Scalar, YAMLMap } from 'yaml';
import { GitfleetError } from '../util/errors.js';
import { editYaml } from '../propose/edit.js';

/** Metadata kept in clear beside each value. */
export interface SecretMeta {
  created?: string;
  rotated?: string;
  by?: string;
}

/** One entry of a Secrets document: its key, ciphertext and metadata. */
export interface SecretEntry extends SecretMeta {
  key: string;
  ciphertext: string;
}

/** Parses a Secrets document of `host`, or a new empty one when `text` is undefined. */
export function secretsDocument(text: string | undefined, host: string, file: string): Document {
  if (text === undefined) {
    const doc = new Document({ apiVersion: 'gitfleet/v1', kind: 'Secrets', name: host, secrets: {} });
    (doc.get('secrets', true) as YAMLMap).flow = false;
    return doc;
  }
  const doc = parsed(text, file);
  if (doc.get('kind') !== 'Secrets' || doc.get('name') !== host) throw new GitfleetError('E_PARSE', `${file} is not the Secrets document of host "${host}" (kind: Secrets, name: ${host})`);
  return doc;
}

/** Every entry of a Secrets document, in file order. */
export function secretEntries(doc: Document): SecretEntry[] {
  const map = doc.get('secrets', true);
  if (!isMap(map)) return [];
  return map.items.map((pair) => {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const v = isMap(pair.value) ? pair.value.toJSON() as Record<string, unknown> : {};
    const s = (x: unknown) => (x === undefined || x === null ? undefined : x instanceof Date ? x.toISOString() : String(x));
    return { key, ciphertext: s(v.value) ?? '', created: s(v.created), rotated: s(v.rotated), by: s(v.by) };
  });
}

/** Sets one key's ciphertext; a new key gets `created`, every change sets `rotated` and `by`. Returns whether the key is new. */
export function putSecret(doc: Document, key: string, ciphertext: string, meta: { now: string; by: string }): { created: boolean } {
  let map = doc.get('secrets', true);
  if (!isMap(map)) {
    map = new YAMLMap();
    doc.set('secrets', map);
  }
  (map as YAMLMap).flow = false;
  const created = !(map as YAMLMap).has(key);
  const value = new Scalar(ciphertext);
  value.type = 'BLOCK_LITERAL';
  if (created) {
    const entry = new YAMLMap();
    entry.set('value', value);
    entry.set('created', meta.now);
    entry.set('rotated', meta.now);
    entry.set('by', meta.by);
    (map as YAMLMap).set(key, entry);
  } else {
    const entry = (map as YAMLMap).get(key, true);
    if (!isMap(entry)) throw new GitfleetError('E_PARSE', `secret "${key}" is not a mapping`);
    entry.flow = false;
    entry.set('value', value);
    entry.set('rotated', meta.now);
    entry.set('by', meta.by);
  }
  return { created };
}

/** Replaces only the ciphertext of an existing key (rekey: the value and its metadata are unchanged). */
export function replaceCiphertext(doc: Document, key: string, ciphertext: string): void {
  const value = new Scalar(ciphertext);
  value.type = 'BLOCK_LITERAL';
  doc.setIn(['secrets', key, 'value'], value);
}

/** Sets `recipient:` in a Host document's text, keeping the rest of the file as written. */
export function withRecipient(text: string, host: string, recipient: string, file: string): string {
  const doc = parsed(text, file);
  if (doc.get('kind') !== 'Host' || doc.get('name') !== host) throw new GitfleetError('E_PARSE', `${file} is not the Host document of "${host}" (kind: Host, name: ${host})`);
  // A byte-exact splice: flow maps, quoting and spacing of the host file stay as the operator wrote them.
  return editYaml(text, [{ path: ['recipient'], value: recipient }]);
}

/** The document's text. */
export function render(doc: Document): string {
  return doc.toString({ lineWidth: 0 });
}

function parsed(text: string, file: string): Document {
  // No pretty errors: they quote the source line, and a broken line may hold a clear-text value.
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter: lines });
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lines.linePos(Math.max(0, err.pos[0]));
    throw new GitfleetError('E_PARSE', `${file}:${line}:${col}: ${err.message.split('\n')[0]}`);
  }
  return doc;
}
