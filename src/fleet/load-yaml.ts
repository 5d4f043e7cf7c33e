import { createRequire } from 'node:module';
import type { Document, Node as YamlNode, Pair, YAMLError } from 'yaml';

// The `yaml` library (~20 ms to load) is needed only for files the fast path does not take and for
// positions of diagnostics: it is required on first use, synchronously, so `at()` can stay synchronous.
type YamlLib = typeof import('yaml');
let lib: YamlLib | undefined;
const yaml = (): YamlLib => (lib ??= createRequire(import.meta.url)('yaml') as YamlLib);
const isAlias = ((n: unknown) => yaml().isAlias(n)) as YamlLib['isAlias'];
const isMap = ((n: unknown) => yaml().isMap(n)) as YamlLib['isMap'];
const isScalar = ((n: unknown) => yaml().isScalar(n)) as YamlLib['isScalar'];
const isSeq = ((n: unknown) => yaml().isSeq(n)) as YamlLib['isSeq'];
const parseDocument = ((...args: Parameters<YamlLib['parseDocument']>) => yaml().parseDocument(...args)) as YamlLib['parseDocument'];
const visit = Object.defineProperties((...args: Parameters<YamlLib['visit']>) => yaml().visit(...args), {
  BREAK: { get: () => yaml().visit.BREAK },
  SKIP: { get: () => yaml().visit.SKIP },
  REMOVE: { get: () => yaml().visit.REMOVE },
}) as unknown as YamlLib['visit'];
import type { Diagnostic } from '../util/errors.js';
import { parseSimpleYaml } from './load-fast.js';
import type { Position } from './load.js';

/** YAML 1.2, core schema, no merge keys, no 1.1 tags (`!!binary`, `!!set`...), unique string keys. */
export const YAML_OPTIONS = {
  version: '1.2',
  schema: 'core',
  merge: false,
  resolveKnownTags: false,
  uniqueKeys: true,
  stringKeys: true,
  strict: true,
  prettyErrors: false,
  intAsBigInt: false,
} as const;

/** The yaml library's expansion bound; a billion-laughs file stops at it (yaml.alias-limit). */
export const MAX_ALIAS_COUNT = 100;
/** Enough to fix a file; a garbage file would otherwise flood the output. */
const MAX_DIAGNOSTICS_PER_FILE = 10;

export type ParsedYaml = { data: unknown } | { diagnostics: Diagnostic[] };

/** Parses one document's text into a plain value, or says precisely why it cannot. */
export function parseYaml(file: string, text: string): ParsedYaml {
  const fast = parseSimpleYaml(text);
  if (fast) return fast;
  const doc = parseDocument(text, YAML_OPTIONS);
  const lines = lineStarts(text);
  const diag = (code: string, offset: number, message: string, hint: string): Diagnostic =>
    ({ code, file, ...toPosition(lines, offset), message, hint });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    return { diagnostics: problems.slice(0, MAX_DIAGNOSTICS_PER_FILE).map((e) => fromYamlError(e, doc, lines, diag)) };
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null && root.source === '')) {
    return { diagnostics: [diag('load.empty', 0, 'the file holds no YAML document (it is empty or only comments)',
      'write the document (apiVersion: gitfleet/v1, kind, name, ...) or delete the file')] };
  }
  // `<<` is an ordinary key in YAML 1.2; reject it rather than silently keep a key named "<<".
  const merge = text.includes('<<') ? findPair(doc, (p) => isScalar(p.key) && p.key.value === '<<' && p.key.type === 'PLAIN') : undefined;
  if (merge) {
    return { diagnostics: [diag('yaml.merge-key', start(merge.key), 'merge keys (<<) are not supported: YAML 1.2 has no merge keys',
      'write the keys out in this map instead of merging them in')] };
  }
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch {
    return { diagnostics: [aliasProblem(doc, diag)] };
  }
}

type Diag = (code: string, offset: number, message: string, hint: string) => Diagnostic;

function fromYamlError(e: YAMLError, doc: Document, lines: number[], diag: Diag): Diagnostic {
  const offset = e.pos[0];
  const msg = e.message.split('\n')[0] ?? e.message;
  switch (e.code) {
    case 'DUPLICATE_KEY': {
      const dup = findPair(doc, (p) => isScalar(p.key) && start(p.key) === offset);
      const key = dup && isScalar(dup.key) ? String(dup.key.value) : undefined;
      const first = key === undefined ? undefined : firstKey(doc, dup!, key);
      const where = first ? ` on line ${toPosition(lines, start(first.key)).line}` : '';
      return diag('yaml.duplicate-key', offset, `key ${key === undefined ? '' : `"${key}" `}appears twice in the same map`,
        `keep one of them: the first "${key ?? ''}" is${where || ' earlier'}; merge the values there and delete this one`);
    }
    case 'TAB_AS_INDENT':
      return diag('yaml.tab-indent', offset, 'a tab is used for indentation', 'indent with spaces only: YAML does not allow tabs in indentation');
    case 'MULTIPLE_DOCS':
      return diag('yaml.multi-document', offset, 'the file holds more than one YAML document (a second one starts here)',
        'put each document in a file of its own, or delete this "---" line');
    case 'TAG_RESOLVE_FAILED':
      return diag('yaml.unknown-tag', offset, `${msg}: the tag is not part of the YAML 1.2 core schema`,
        'remove the tag: values are strings, numbers, booleans, null, maps and lists');
    case 'NON_STRING_KEY':
      return diag('yaml.complex-key', offset, 'a map key here is a map or a list', 'use a plain string as the key');
    default: {
      // The library notices an unclosed { or [ only on a later line; the opener is where the fix goes.
      const open = /^Flow (map|sequence) in block collection/.test(msg) ? unclosedFlow(doc, offset) : undefined;
      if (open !== undefined) {
        const [opener, closer] = msg.startsWith('Flow map') ? ['{', '}'] : ['[', ']'];
        return diag('yaml.syntax', open, `YAML syntax error: this ${opener} is never closed`,
          `close it with ${closer} on the same line, or quote a value that contains ${opener}`);
      }
      return diag('yaml.syntax', offset, `YAML syntax error: ${msg}`, syntaxHint(e.code));
    }
  }
}

/** Start of the flow collection that runs up to `offset` without its closing bracket. */
function unclosedFlow(doc: Document, offset: number): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Collection(_k, node) {
      if (node.flow && node.range?.[1] === offset) found = node.range[0];
    },
  });
  return found;
}

function syntaxHint(code: YAMLError['code']): string {
  if (code === 'BAD_INDENT' || code === 'MISSING_CHAR') return 'check the indentation and that every [ { " \' opened before this point is closed';
  if (code === 'BLOCK_AS_IMPLICIT_KEY' || code === 'MULTILINE_IMPLICIT_KEY') return 'a key must fit on one line and be followed by ": "';
  return 'fix the YAML here; quote a value that contains ": ", " #" or starts with one of [ ] { } & * ! | > \' " % @ `';
}

/** toJS failed: either an alias without an anchor before it, or too many alias expansions. */
function aliasProblem(doc: Document, diag: Diag): Diagnostic {
  let unknown: YamlNode | undefined;
  let firstAlias: YamlNode | undefined;
  visit(doc, {
    Alias(_k, node) {
      firstAlias ??= node;
      if (node.resolve(doc) === undefined) {
        unknown = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (unknown && isAlias(unknown)) {
    return diag('yaml.unknown-anchor', start(unknown), `alias *${unknown.source} has no anchor &${unknown.source} before it`,
      `define &${unknown.source} on a value above this line, or write the value out`);
  }
  return diag('yaml.alias-limit', firstAlias ? start(firstAlias) : 0,
    `aliases expand to too much data (more than ${MAX_ALIAS_COUNT} alias expansions); this guards against "billion laughs" files`,
    'write the values out, or use fewer, non-nested aliases');
}

function findPair(doc: Document, test: (p: Pair) => boolean): Pair | undefined {
  let found: Pair | undefined;
  visit(doc, {
    Pair(_k, pair) {
      if (test(pair)) {
        found = pair;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** The first pair with the same key in the map that holds `dup`. */
function firstKey(doc: Document, dup: Pair, key: string): Pair | undefined {
  let found: Pair | undefined;
  visit(doc, {
    Map(_k, map) {
      if (!map.items.includes(dup)) return undefined;
      found = map.items.find((p) => p !== dup && isScalar(p.key) && String(p.key.value) === key);
      return visit.BREAK;
    },
  });
  return found;
}

function start(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
}

/** Offsets where each line starts (after `\n`, so CRLF files count right). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset. */
export function toPosition(starts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}

/** A parsed document kept only for positions, made on the first `at()` of a file. */
export interface PositionIndex { doc: Document; lines: number[] }

/** Re-parses text for position lookups. */
export function indexPositions(text: string): PositionIndex {
  return { doc: parseDocument(text, YAML_OPTIONS), lines: lineStarts(text) };
}

/** Position of the node at `path`; the nearest ancestor that exists when the path does not. */
export function positionAt(index: PositionIndex, path: readonly (string | number)[], which: 'key' | 'value'): Position {
  const { doc, lines } = index;
  let node: unknown = doc.contents;
  let keyOffset: number | undefined;
  let valueOffset = start(node);
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let pair: Pair | undefined;
    let next: unknown;
    if (isMap(node)) {
      pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      next = pair?.value;
    } else if (isSeq(node) && Number.isInteger(Number(seg))) {
      next = node.items[Number(seg)];
    }
    if (!pair && next === undefined) return toPosition(lines, keyOffset ?? valueOffset);
    keyOffset = pair ? start(pair.key) : undefined;
    node = next;
    // `key:` with no value has an empty scalar just after the colon; the key is the better place
    valueOffset = next === null || next === undefined || (isScalar(next) && next.source === '' && next.value === null)
      ? keyOffset ?? valueOffset : start(next);
  }
  if (which === 'key' && keyOffset !== undefined) return toPosition(lines, keyOffset);
  return toPosition(lines, valueOffset);
}

