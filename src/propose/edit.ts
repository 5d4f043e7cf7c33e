/*
 * Edits that keep the file. Only the bytes of the changed value are replaced (spliced into the original text
 * at the node's source range), so comments, key order, quoting style, blank lines and CRLF line ends stay
 * exactly as they were. A key that does not exist yet is inserted as new text in the style of its parent map
 * (a line in a block map, `, k: v` in a flow map). requirements.txt and package.json are edited in their own
 * formats the same way: only the version text changes.
 */
import { isMap, isScalar, parseDocument, type Document, type Node as YamlNode, type YAMLMap } from 'yaml';
import { GitfleetError } from '../util/errors.js';
import { YAML_OPTIONS } from '../fleet/load-yaml.js';

/** Set the scalar at `path` (map keys) to `value`. */
export interface YamlEdit {
  path: string[];
  value: string;
}

/** Applies the edits; throws E_UNSUPPORTED when a path crosses something that is not a map. */
export function editYaml(text: string, edits: readonly YamlEdit[]): string {
  // Replacing existing scalars needs one parse for all of them (spliced from the end, so offsets stay valid);
  // only an insertion changes the layout, and those are done one by one on a fresh parse.
  const doc = parse(text);
  const splices = new Map<number, { end: number; text: string }>();
  const inserts: YamlEdit[] = [];
  for (const e of edits) {
    const found = locate(doc, e);
    if (found === 'missing') inserts.push(e);
    else if (found) splices.set(found.start, { end: found.end, text: found.text });
  }
  let out = text;
  for (const [start, s] of [...splices].sort(([a], [b]) => b - a)) out = out.slice(0, start) + s.text + out.slice(s.end);
  for (const e of inserts) out = editOne(out, e);
  return out;
}

function parse(text: string): Document {
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length) throw new GitfleetError('E_PARSE', `cannot edit YAML with errors: ${doc.errors[0]!.message}`);
  return doc;
}

/** The splice that sets an existing scalar; undefined when it already has the value; 'missing' when a key is absent. */
function locate(doc: Document, e: YamlEdit): { start: number; end: number; text: string } | 'missing' | undefined {
  let node: unknown = doc.contents;
  for (let i = 0; i < e.path.length; i++) {
    if (!isMap(node)) throw new GitfleetError('E_UNSUPPORTED', `cannot set ${e.path.join('.')}: ${e.path.slice(0, i).join('.') || 'the document'} is not a map`);
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === e.path[i]);
    if (!pair) return 'missing';
    node = pair.value;
  }
  if (!isScalar(node) || !node.range) throw new GitfleetError('E_UNSUPPORTED', `cannot set ${e.path.join('.')}: it is not a plain value`);
  if (node.value === e.value) return undefined;
  const [start, end] = node.range;
  if (start === end) throw new GitfleetError('E_UNSUPPORTED', `cannot set ${e.path.join('.')}: it has no value to replace`);
  return { start, end, text: renderScalar(e.value, node.type) };
}

function editOne(text: string, e: YamlEdit): string {
  const doc = parse(text);
  const found = locate(doc, e);
  if (found === undefined) return text;
  if (found !== 'missing') return text.slice(0, found.start) + found.text + text.slice(found.end);
  let node: unknown = doc.contents;
  for (let i = 0; i < e.path.length; i++) {
    const map = node as YAMLMap;
    const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === e.path[i]);
    if (!pair) return insert(text, map, e.path.slice(i), e.value);
    node = pair.value;
  }
  return text;
}

/** The value in the same quoting style; a plain value that YAML would read as something else than this string gets double quotes. */
export function renderScalar(value: string, type: string | undefined): string {
  if (type === 'QUOTE_SINGLE') return `'${value.replaceAll("'", "''")}'`;
  if (type === 'PLAIN' && plainSafe(value)) return value;
  return JSON.stringify(value);
}

function plainSafe(value: string): boolean {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+~-]*$/.test(value)) return false;
  const doc = parseDocument(`v: ${value}\n`, YAML_OPTIONS);
  return doc.errors.length === 0 && doc.get('v') === value;
}

function renderKey(key: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(key) && plainSafe(key) ? key : JSON.stringify(key);
}

/** Inserts `rest` (the missing keys, outermost first) with `value` into `map`. */
function insert(text: string, map: YAMLMap, rest: string[], value: string): string {
  const quoted = JSON.stringify(value);
  const range = (map as YamlNode).range;
  if (!range) throw new GitfleetError('E_UNSUPPORTED', 'cannot insert into a map without a source position');
  if (map.flow) {
    const nested = rest.slice(1).reduceRight((inner, k) => `{${renderKey(k)}: ${inner}}`, quoted);
    const close = text.lastIndexOf('}', range[1] - 1);
    if (close < range[0]) throw new GitfleetError('E_UNSUPPORTED', 'cannot find the end of a flow map');
    const before = text.slice(range[0] + 1, close);
    const sep = before.trim() === '' ? '' : before.trimEnd().endsWith(',') ? ' ' : ', ';
    const at = before.trim() === '' ? close : range[0] + 1 + before.trimEnd().length;
    return text.slice(0, at) + sep + `${renderKey(rest[0]!)}: ${nested}` + text.slice(at);
  }
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const first = map.items[0]?.key as YamlNode | undefined;
  const indent = first?.range ? first.range[0] - lineStart(text, first.range[0]) : 0;
  const lines = rest.map((k, i) => `${' '.repeat(indent + 2 * i)}${renderKey(k)}:${i === rest.length - 1 ? ` ${quoted}` : ''}`);
  const last = map.items.at(-1);
  const lastNode = (last?.value ?? last?.key) as YamlNode | undefined;
  const end = lastNode?.range ? lastNode.range[1] : range[1];
  let at: number;
  if (end > 0 && text[end - 1] === '\n') at = end;
  else {
    const eol = text.indexOf('\n', end);
    if (eol < 0) return text + nl + lines.join(nl) + nl;
    at = eol + 1;
  }
  return text.slice(0, at) + lines.join(nl) + nl + text.slice(at);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Sets the `==version` of `name` on a requirements.txt line (1-based); the rest of the line and the file stay as they are. */
export function editRequirement(text: string, line: number, name: string, version: string): string {
  const lines = text.split('\n');
  const raw = lines[line - 1];
  if (raw === undefined) throw new GitfleetError('E_NOT_FOUND', `line ${line} does not exist`);
  const m = /^(\s*)([^=<>!~\s[]+)(\s*==\s*)([^\s#;,]+)/.exec(raw);
  if (!m || norm(m[2]!) !== norm(name)) throw new GitfleetError('E_NOT_FOUND', `line ${line} does not pin ${name}`);
  const start = m[1]!.length + m[2]!.length + m[3]!.length;
  lines[line - 1] = raw.slice(0, start) + version + raw.slice(start + m[4]!.length);
  return lines.join('\n');
}

/** Sets the version string of `name` in a package.json's `dependencies`, in place (indentation and order kept). */
export function editPackageJson(text: string, name: string, version: string): string {
  const depsAt = text.search(/"dependencies"\s*:/);
  if (depsAt < 0) throw new GitfleetError('E_NOT_FOUND', 'no "dependencies" in package.json');
  const keyAt = text.indexOf(JSON.stringify(name), depsAt);
  if (keyAt < 0) throw new GitfleetError('E_NOT_FOUND', `no dependency "${name}" in package.json`);
  const m = /^\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text.slice(keyAt + JSON.stringify(name).length));
  if (!m) throw new GitfleetError('E_NOT_FOUND', `dependency "${name}" has no string value`);
  const valueAt = keyAt + JSON.stringify(name).length + m[0].length - m[1]!.length - 1;
  return text.slice(0, valueAt) + version + text.slice(valueAt + m[1]!.length);
}

function norm(n: string): string {
  return n.replace(/[-_.]+/g, '-').toLowerCase();
}
