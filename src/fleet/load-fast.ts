
/*
 * A fast path for the plain YAML most fleet files are written in: block maps and lists, one-line scalars
 * (plain, '...', "..." without escapes) and one-line flow collections. Anything else — anchors, tags,
 * block scalars, multi-line values, tabs, CR, escapes, comments in odd places, duplicate keys, odd
 * indentation — returns undefined and the file goes through the `yaml` library, which then also gives
 * the diagnostics. Plain scalars resolve by the YAML 1.2 core schema exactly as the library's core tags
 * do (null, bool, int 0o/10/0x, .inf/.nan, float, in that order); test/fleet/load.test.ts checks the
 * values against the library on generated documents. The library itself is not loaded on this path:
 * it costs ~20 ms of every process start.
 * Why: the library costs ~60 µs per small host file; 10,000 files must load in well under a second.
 */


class Bail extends Error {}
const bail = (): never => { throw new Bail(); };

/** Parses the simple subset; undefined when the text needs the full YAML library. */
export function parseSimpleYaml(text: string): { data: unknown } | undefined {
  if (/[\t\r\\&*!|>%@`\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\ufeff]|<<|^(---|\.\.\.)|\n(---|\.\.\.)/.test(text)) return undefined;
  try {
    const data = parseBlocks(text.split('\n'));
    return data === undefined ? undefined : { data };
  } catch (err) {
    if (err instanceof Bail) return undefined;
    throw err;
  }
}

type Container = Record<string, unknown> | unknown[];
/** `inline`: a list at the same indent as its parent's key, which ends at the next line that is not an item. */
interface Frame { indent: number; value: Container; inline?: boolean }
interface Pending { frame: Frame; key: string | number }

function parseBlocks(lines: string[]): unknown {
  const stack: Frame[] = [];
  let root: Container | undefined;
  let pending: Pending | undefined;
  for (const line of lines) {
    const content = ltrim(line);
    const indent = line.length - content.length;
    if (content === '' || content.startsWith('#')) continue;
    const isItem = content === '-' || content.startsWith('- ');
    if (pending) {
      const { frame, key } = pending;
      pending = undefined;
      const opens = indent > frame.indent || (indent === frame.indent && isItem && !Array.isArray(frame.value));
      if (opens) {
        const value: Container = isItem ? [] : {};
        set(frame.value, key, value);
        stack.push({ indent, value, ...(indent === frame.indent ? { inline: true } : {}) });
      } else {
        set(frame.value, key, null);
      }
    }
    while (stack.length > 0 && (stack[stack.length - 1]!.indent > indent || (stack[stack.length - 1]!.inline && !isItem && stack[stack.length - 1]!.indent === indent))) stack.pop();
    if (stack.length === 0) {
      if (root !== undefined || indent !== 0) bail();
      root = isItem ? [] : {};
      stack.push({ indent, value: root });
    }
    const top = stack[stack.length - 1]!;
    if (top.indent !== indent) bail();
    pending = Array.isArray(top.value) ? seqLine(stack, top, content) : mapLine(top, content);
  }
  if (pending) set(pending.frame.value, pending.key, null);
  return root;
}

function set(c: Container, key: string | number, value: unknown): void {
  if (Array.isArray(c)) c.push(value);
  else c[key as string] = value;
}

/** `- value`, `-` (block follows), or `- key: value` (a map whose keys line up after the dash). */
function seqLine(stack: Frame[], top: Frame, content: string): Pending | undefined {
  if (!content.startsWith('-')) bail();
  const rest = ltrim(content.slice(1));
  if (rest === '' || rest.startsWith('#')) return { frame: top, key: 0 };
  if (rest.startsWith('- ') || rest === '-') bail();
  const key = splitKey(rest);
  if (key === undefined) {
    (top.value as unknown[]).push(inlineValue(rest));
    return undefined;
  }
  const map: Record<string, unknown> = {};
  (top.value as unknown[]).push(map);
  const frame = { indent: top.indent + content.length - rest.length, value: map };
  stack.push(frame);
  return mapLine(frame, rest);
}

function mapLine(top: Frame, content: string): Pending | undefined {
  const kv = splitKey(content) ?? bail();
  const map = top.value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(map, kv.key)) bail();
  const rest = ltrim(kv.rest);
  if (rest === '' || rest.startsWith('#')) {
    map[kv.key] = null;
    return { frame: top, key: kv.key };
  }
  map[kv.key] = inlineValue(rest);
  return undefined;
}

/** `key: rest` with a plain or quoted key; undefined when the line is not a key line. */
function splitKey(s: string): { key: string; rest: string } | undefined {
  let key: string;
  let after: number;
  if (s[0] === "'" || s[0] === '"') {
    const q = quoted(s, 0);
    key = q.value;
    after = q.end;
    if (s[after] !== ':') return s[after] === undefined || s[after] === ' ' ? undefined : bail();
  } else {
    const m = /:( |$)/.exec(s);
    if (!m) return undefined;
    key = s.slice(0, m.index);
    after = m.index;
    if (!plainOk(key, false) || key.includes(' #')) bail();
  }
  if (s[after + 1] !== undefined && s[after + 1] !== ' ') bail();
  if (key.length > 1000 || key === '__proto__') bail();
  return { key, rest: s.slice(after + 1) };
}

/** A value after `key: ` or `- `: flow collection, quoted or plain scalar, then only a comment. */
function inlineValue(s: string): unknown {
  if (s[0] === '[' || s[0] === '{') {
    const r = flow(s, 0);
    return tail(s, r.end, r.value);
  }
  if (s[0] === "'" || s[0] === '"') {
    const q = quoted(s, 0);
    return tail(s, q.end, q.value);
  }
  const hash = s.indexOf(' #');
  const plain = rtrim(hash < 0 ? s : s.slice(0, hash));
  if (!plainOk(plain, false) || plain.endsWith(':')) bail();
  return resolvePlain(plain);
}

function tail(s: string, end: number, value: unknown): unknown {
  const rest = s.slice(end);
  if (!/^ *$|^ +#/.test(rest)) bail();
  return value;
}

/** Plain scalars that mean the same in every context we accept: no indicators at the start, no `: `. */
function plainOk(s: string, inFlow: boolean): boolean {
  if (s === '' || s.startsWith(' ') || s.endsWith(' ')) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s) && !/^-[0-9.]/.test(s)) return false;
  if (s.includes(': ') || s.includes(' #')) return false;
  return !(inFlow && /[,[\]{}]|:$/.test(s));
}

/** A plain scalar by the YAML 1.2 core schema, with the `yaml` library's tag order and regexes (schema/core/*.js). */
function resolvePlain(s: string): unknown {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}

function quoted(s: string, i: number): { value: string; end: number } {
  const q = s[i];
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] !== q) continue;
    if (q === "'" && s[j + 1] === "'") {
      out += s.slice(i + 1, j + 1);
      i = ++j;
      continue;
    }
    return { value: out + s.slice(i + 1, j), end: j + 1 };
  }
  return bail();
}

/** One-line flow collection starting at s[i]. */
function flow(s: string, i: number): { value: unknown; end: number } {
  const isMap = s[i] === '{';
  const close = isMap ? '}' : ']';
  const value: Container = isMap ? {} : [];
  let j = skip(s, i + 1);
  if (s[j] === close) return { value, end: j + 1 };
  for (;;) {
    let key: string | undefined;
    if (isMap) {
      const k = s[j] === "'" || s[j] === '"' ? quoted(s, j) : flowPlain(s, j, true);
      key = k.value;
      if (s[k.end] !== ':' || s[k.end + 1] !== ' ' || key === '__proto__' || Object.prototype.hasOwnProperty.call(value, key)) bail();
      j = skip(s, k.end + 1);
    }
    const v = s[j] === '[' || s[j] === '{' ? flow(s, j)
      : s[j] === "'" || s[j] === '"' ? quoted(s, j)
        : flowPlain(s, j, false);
    const item = typeof v.value === 'string' && !(s[j] === "'" || s[j] === '"') ? resolvePlain(v.value) : v.value;
    set(value, key ?? 0, item);
    j = skip(s, v.end);
    if (s[j] === close) return { value, end: j + 1 };
    if (s[j] !== ',') bail();
    j = skip(s, j + 1);
    if (s[j] === close || s[j] === ',') bail();
  }
}

function flowPlain(s: string, i: number, isKey: boolean): { value: string; end: number } {
  let j = i;
  while (j < s.length && !',[]{}'.includes(s[j]!) && !(s[j] === ':' && (s[j + 1] === ' ' || isKey))) j++;
  const raw = s.slice(i, j);
  const value = rtrim(raw);
  if (!plainOk(value, true)) bail();
  return { value, end: i + value.length };
}

function skip(s: string, i: number): number {
  while (s[i] === ' ') i++;
  return i;
}

// YAML white space is only the space (tabs were rejected above); String#trim would also eat NBSP and friends.
function ltrim(s: string): string {
  let i = 0;
  while (s[i] === ' ') i++;
  return s.slice(i);
}

function rtrim(s: string): string {
  let i = s.length;
  while (i > 0 && s[i - 1] === ' ') i--;
  return s.slice(0, i);
}
