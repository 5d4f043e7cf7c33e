import type { Diagnostic } from '../util/errors.js';
import type { LoadedDocument } from './load.js';
import type { SchemaError } from './schemas.js';
import { closest } from './suggest.js';

/** Turns ajv errors of one document into diagnostics at the right place, saying what would be right. */
export function schemaDiagnostics(doc: LoadedDocument, errors: readonly SchemaError[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const d = toDiagnostic(doc, e);
    if (!d) continue;
    const key = `${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function toDiagnostic(doc: LoadedDocument, e: SchemaError): Diagnostic | undefined {
  const path = pointerToPath(e.instancePath);
  const where = (p: readonly (string | number)[], which: 'key' | 'value' = 'value') => ({ file: doc.file, ...doc.at(p, which) });
  const field = path.length ? `"${path.join('.')}"` : 'the document';
  const parentDesc = String((e.parentSchema as { description?: string } | undefined)?.description ?? '');
  const desc = firstSentence(parentDesc);
  const value = valueAt(doc.data, path);
  // A secret's value must never reach a log or a CI annotation, even when it is wrong.
  const secret = isSecretValue(doc, path);
  const shown = secret ? 'the value (not shown: it is a secret)' : JSON.stringify(value);
  if (secret && (e.keyword === 'pattern' || e.keyword === 'type')) {
    return {
      code: `schema.${e.keyword}`, ...where(path),
      message: `the value of secret "${String(path[1])}" is not age-encrypted (it is not shown here: it may be clear text)`,
      hint: 'encrypt it to the host\'s recipient (`age -a -r <recipient>`) and paste the armored block; a clear-text value is now in the git history, so rotate it',
    };
  }
  // An error inside `propertyNames` is about a key; ajv reports it at the map, with the key in `propertyName`.
  if (e.propertyName !== undefined && e.keyword !== 'propertyNames') {
    return propertyNameDiagnostic(where, field, path, e.propertyName, parentDesc);
  }
  switch (e.keyword) {
    case 'required': {
      const missing = String(e.params.missingProperty);
      const propDesc = propertyDescription(e.schema, e.parentSchema, missing);
      return { code: 'schema.required', ...where(path, 'key'), message: `${field} is missing the required property "${missing}"`, hint: `add \`${missing}:\`${propDesc ? ` — ${propDesc}` : ''}` };
    }
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(extra, allowed);
      return {
        code: 'schema.unknown-property', ...where([...path, extra], 'key'),
        message: `unknown property "${extra}" in ${field}`,
        hint: guess ? `did you mean "${guess}"?` : allowed.length ? `allowed here: ${allowed.join(', ')}` : 'remove it',
      };
    }
    case 'type': {
      const want = String(e.params.type);
      const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
      // YAML has already turned 1.10 into 1.1 here, so the hint must not suggest the parsed value as the fix.
      const quoteHint = want === 'string' && (got === 'number' || got === 'boolean')
        ? `put it in quotes exactly as you mean it: unquoted, YAML read it as the ${got} ${String(value)} (e.g. 1.10 becomes 1.1)` : '';
      return { code: 'schema.type', ...where(path), message: `${field} must be ${article(want)}, not ${article(got)}`, hint: quoteHint || desc || `write ${article(want)} here` };
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      return { code: 'schema.enum', ...where(path), message: `${field} is ${shown}, which is not allowed`, hint: `${guess ? `did you mean "${guess}"? ` : ''}one of: ${allowed.join(', ')}` };
    }
    case 'const':
      return { code: 'schema.const', ...where(path), message: `${field} is ${shown}`, hint: `it must be ${JSON.stringify(e.params.allowedValue)}` };
    case 'pattern':
      return { code: 'schema.pattern', ...where(path), message: `${field} ${shown} is not valid here`, hint: desc || `it must match ${String(e.params.pattern)}` };
    case 'propertyNames':
      return propertyNameDiagnostic(where, field, path, String(e.params.propertyName), '');
    case 'format':
      return { code: 'schema.format', ...where(path), message: `${field} ${shown} is not a valid ${String(e.params.format)}`, hint: desc || `write a valid ${String(e.params.format)}` };
    case 'uniqueItems':
      return { code: 'schema.duplicate-item', ...where([...path, Number(e.params.i)]), message: `${field} lists the same item twice (items ${Number(e.params.j) + 1} and ${Number(e.params.i) + 1})`, hint: 'list each item once' };
    case 'minItems': case 'maxItems': case 'minProperties': case 'maxProperties': case 'minLength': case 'maxLength':
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return { code: `schema.${kebab(e.keyword)}`, ...where(path), message: `${field} ${e.message ?? 'is out of range'}`, hint: desc || 'see the schema for the allowed range' };
    default:
      return { code: `schema.${kebab(e.keyword)}`, ...where(path), message: `${field} ${e.message ?? 'is invalid'}`, hint: desc || 'see the schema of this kind' };
  }
}

type Where = (p: readonly (string | number)[], which?: 'key' | 'value') => { file: string; line: number; column: number };

/** A key that its map's `propertyNames` refuses: at the key, with the whole description of what a key may be. */
function propertyNameDiagnostic(where: Where, field: string, path: readonly (string | number)[], name: string, keyDesc: string): Diagnostic {
  const dash = name.startsWith('-') ? ' (a leading "-" would be read as a command-line option)' : '';
  return {
    code: 'schema.property-name', ...where([...path, name], 'key'),
    message: `${JSON.stringify(name)} is not a valid key in ${field}${dash}`,
    hint: keyDesc.trim() || 'rename the key',
  };
}

function isSecretValue(doc: LoadedDocument, path: readonly (string | number)[]): boolean {
  return doc.kind === 'Secrets' && path[0] === 'secrets' && path.length >= 3 && path[2] === 'value';
}

/** `/a/b~1c/0` → ['a', 'b/c', 0]. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((s) => {
    const k = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^(0|[1-9][0-9]*)$/.test(k) ? Number(k) : k;
  });
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let cur = data;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

function propertyDescription(_schema: unknown, parent: unknown, prop: string): string {
  const p = (parent as { properties?: Record<string, { description?: string }> })?.properties?.[prop];
  return firstSentence(p?.description ?? '');
}

function firstSentence(s: string): string {
  const i = s.indexOf('. ');
  return (i > 0 ? s.slice(0, i + 1) : s).trim();
}

/** Codes are kebab-case like the others: `minProperties` → `min-properties`. */
function kebab(keyword: string): string {
  return keyword.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}
