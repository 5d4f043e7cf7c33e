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
  const desc = firstSentence(String((e.parentSchema as { description?: string } | undefined)?.description ?? ''));
  const value = valueAt(doc.data, path);
  switch (e.keyword) {
    case 'required': {
      const missing = String(e.params.missingProperty);
      const propDesc = propertyDescription(e.schema, e.parentSchema, missing);
      return { code: 'schema.required', ...where(path, 'key'), message: `${field} is missing the required property "${missing}"`, hint: `add \`${missing}:\`${propDesc ? ` — ${propDesc}` : ''}` };
    }
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
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
      const quoteHint = want === 'string' && (got === 'number' || got === 'boolean') ? `quote it so YAML keeps it as written, e.g. "${String(value)}" (unquoted, YAML turns 1.10 into the number 1.1)` : desc;
      return { code: 'schema.type', ...where(path), message: `${field} must be ${article(want)}, not ${article(got)}`, hint: quoteHint || undefined };
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      return { code: 'schema.enum', ...where(path), message: `${field} is ${JSON.stringify(value)}, which is not allowed`, hint: `${guess ? `did you mean "${guess}"? ` : ''}one of: ${allowed.join(', ')}` };
    }
    case 'const':
      return { code: 'schema.const', ...where(path), message: `${field} is ${JSON.stringify(value)}`, hint: `it must be ${JSON.stringify(e.params.allowedValue)}` };
    case 'pattern':
      return { code: 'schema.pattern', ...where(path), message: `${field} ${JSON.stringify(value)} is not valid here`, hint: desc || `it must match ${String(e.params.pattern)}` };
    case 'propertyNames': {
      const name = String(e.params.propertyName);
      return { code: 'schema.property-name', ...where([...path, name], 'key'), message: `${JSON.stringify(name)} is not a valid key in ${field}`, hint: desc || undefined };
    }
    case 'format':
      return { code: 'schema.format', ...where(path), message: `${field} ${JSON.stringify(value)} is not a valid ${String(e.params.format)}`, hint: desc || undefined };
    case 'uniqueItems':
      return { code: 'schema.duplicate-item', ...where([...path, Number(e.params.i)]), message: `${field} lists the same item twice (items ${Number(e.params.j) + 1} and ${Number(e.params.i) + 1})`, hint: 'list each item once' };
    case 'minItems': case 'maxItems': case 'minProperties': case 'maxProperties': case 'minLength': case 'maxLength':
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return { code: `schema.${e.keyword}`, ...where(path), message: `${field} ${e.message ?? 'is out of range'}`, hint: desc || undefined };
    default:
      return { code: `schema.${e.keyword}`, ...where(path), message: `${field} ${e.message ?? 'is invalid'}`, hint: desc || undefined };
  }
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

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}
