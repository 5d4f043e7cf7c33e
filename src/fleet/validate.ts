import type { Diagnostic } from '../util/errors.js';
import type { LoadedDocument, LoadedFleet } from './load.js';
import { emptyModel, type Entry, type FleetModel } from './model.js';
import { API_VERSION, KINDS, validatorFor, type Kind } from './schemas.js';
import { schemaDiagnostics } from './schema-errors.js';
import { parsePackageJson, parseRequirements } from './imports.js';
import { semanticProblems } from './semantic.js';
import { resolveAll, toDiagnostic } from './resolve.js';
import { closest } from './suggest.js';
import type { Baseline } from './model.generated.js';

/** The outcome of validating a fleet: every diagnostic (sorted) and the model built from the valid documents. */
export interface ValidationResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  model: FleetModel;
}

/** Both layers, as on CI and on hosts: the schema of every document, then the meaning of the whole fleet. */
export async function validateFleet(loaded: LoadedFleet): Promise<ValidationResult> {
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const model = emptyModel(loaded.describe, loaded.revision);
  for (const doc of loaded.documents) structural(doc, model, diagnostics);
  if (!model.fleet && !loaded.diagnostics.some((d) => d.file === 'fleet.yaml')) {
    diagnostics.push({ code: 'fleet.missing', file: 'fleet.yaml', line: 1, column: 1, message: 'the repository has no fleet.yaml', hint: 'add fleet.yaml with `apiVersion: gitfleet/v1`, `kind: Fleet` and `name:`' });
  }
  await readImports(loaded, model, diagnostics);
  // Meaning is checked only on a structurally valid fleet: references into broken documents would only repeat errors.
  if (diagnostics.length === 0) {
    const meaning = semanticProblems(model).map((p) => toDiagnostic(model, p));
    // per-host resolution re-finds some fleet-wide problems (a manager on the wrong OS): report each place once
    const seen = new Set(meaning.map(placeKey));
    diagnostics.push(...meaning, ...resolveAll(model).map((p) => toDiagnostic(model, p)).filter((d) => !seen.has(placeKey(d))));
  }
  const unique = dedupe(diagnostics).sort(byPlace);
  return { ok: unique.length === 0, diagnostics: unique, model };
}

function structural(doc: LoadedDocument, model: FleetModel, out: Diagnostic[]): void {
  const at = (path: (string | number)[], which: 'key' | 'value' = 'value') => ({ file: doc.file, ...doc.at(path, which) });
  const data = doc.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    out.push({ code: 'doc.not-mapping', ...at([]), message: 'the document is not a mapping of keys to values', hint: 'start with `apiVersion: gitfleet/v1` and `kind:`' });
    return;
  }
  const obj = data as Record<string, unknown>;
  if (obj.apiVersion !== API_VERSION) {
    out.push({
      code: 'doc.api-version', ...(obj.apiVersion === undefined ? at([]) : at(['apiVersion'])),
      message: obj.apiVersion === undefined ? 'the document has no `apiVersion`' : `apiVersion ${JSON.stringify(obj.apiVersion)} is not supported`,
      hint: `write \`apiVersion: ${API_VERSION}\``,
    });
    return;
  }
  const kind = obj.kind;
  if (typeof kind !== 'string' || !(kind in KINDS)) {
    const guess = typeof kind === 'string' ? closest(kind, Object.keys(KINDS)) : undefined;
    out.push({ code: 'doc.unknown-kind', ...(kind === undefined ? at([]) : at(['kind'])), message: kind === undefined ? 'the document has no `kind`' : `unknown kind ${JSON.stringify(kind)}`, hint: guess ? `did you mean "${guess}"?` : `one of: ${Object.keys(KINDS).join(', ')}` });
    return;
  }
  const k = kind as Kind;
  const folder = doc.file.includes('/') ? doc.file.slice(0, doc.file.lastIndexOf('/')) : '';
  if (folder !== KINDS[k].folder) {
    const expected = KINDS[k].folder ? `${KINDS[k].folder}/` : 'the repository root as fleet.yaml';
    out.push({ code: 'doc.wrong-folder', ...at(['kind']), message: `a ${k} document does not belong in ${folder ? `${folder}/` : 'the root'}`, hint: `move it to ${expected}` });
    return;
  }
  const validate = validatorFor(k);
  if (!validate(data)) {
    out.push(...schemaDiagnostics(doc, validate.errors ?? []));
    return;
  }
  const name = obj.name as string;
  if (k === 'Fleet') {
    if (doc.file !== 'fleet.yaml') out.push({ code: 'doc.wrong-folder', ...at(['kind']), message: `the Fleet document must be fleet.yaml, not ${doc.file}`, hint: 'rename it to fleet.yaml' });
    else model.fleet = { value: data as never, doc };
    return;
  }
  const base = doc.file.slice(doc.file.lastIndexOf('/') + 1).replace(/\.ya?ml$/, '');
  if (base !== name) {
    out.push({ code: 'doc.name-mismatch', ...at(['name']), message: `the file is named "${base}" but the document's name is "${name}"`, hint: `rename the file to ${KINDS[k].folder}/${name}.yaml or set \`name: ${base}\`` });
    return;
  }
  const map = ({ Host: model.hosts, Baseline: model.baselines, SandboxTemplate: model.templates, Policy: model.policies, Secrets: model.secrets } as Record<string, Map<string, Entry<unknown>>>)[k]!;
  const prev = map.get(name);
  if (prev) {
    out.push({ code: 'ref.duplicate-name', ...at(['name']), message: `${k} "${name}" is defined twice (also in ${prev.doc.file})`, hint: 'keep one file per name' });
    return;
  }
  map.set(name, { value: data, doc });
}

async function readImports(loaded: LoadedFleet, model: FleetModel, out: Diagnostic[]): Promise<void> {
  const wanted = new Map<string, { kind: 'requirements' | 'packageJson'; from: Entry<Baseline>; index: number }>();
  for (const b of model.baselines.values()) {
    (b.value.imports ?? []).forEach((imp, index) => {
      const path = imp.requirements ?? imp.packageJson!;
      if (!wanted.has(path)) wanted.set(path, { kind: imp.requirements ? 'requirements' : 'packageJson', from: b, index });
    });
  }
  for (const [path, w] of wanted) {
    const res = await loaded.readText(path);
    if ('error' in res) {
      const pos = w.from.doc.at(['imports', w.index, w.kind]);
      out.push({ ...res.error, file: w.from.doc.file, ...pos, code: res.error.code === 'load.missing' ? 'ref.import' : res.error.code, message: `import ${path}: ${res.error.message}`, hint: res.error.hint });
      continue;
    }
    const parsed = w.kind === 'requirements' ? parseRequirements(path, res.text) : parsePackageJson(path, res.text);
    out.push(...parsed.diagnostics);
    model.imports.set(path, parsed.pins);
  }
}

function placeKey(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}:${d.code}`;
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function byPlace(a: Diagnostic, b: Diagnostic): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}
