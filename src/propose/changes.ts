import { GitfleetError, errorMessage } from '../util/errors.js';
import type { Candidate } from './discover.js';
import { editPackageJson, editRequirement, editYaml } from './edit.js';

/** Reads the current text of a fleet file. */
export type ReadText = (path: string) => Promise<string>;

/** The new text of every file the candidates touch, or why they cannot be written. */
export async function filesFor(cands: readonly Candidate[], read: ReadText): Promise<{ files: Record<string, string> } | { error: string }> {
  const byFile = new Map<string, Candidate[]>();
  for (const c of cands) byFile.set(c.where.file, [...(byFile.get(c.where.file) ?? []), c]);
  const files: Record<string, string> = {};
  try {
    for (const [file, list] of byFile) {
      let text = await read(file);
      // the YAML pins of a file in one edit (one parse), the others line by line
      const yaml = list.filter((c) => c.where.kind === 'yaml');
      if (yaml.length) text = editYaml(text, yaml.map((c) => ({ path: (c.where as { path: string[] }).path, value: c.to })));
      for (const c of list) if (c.where.kind !== 'yaml') text = applyOne(text, c);
      files[file] = text;
    }
  } catch (err) {
    return { error: errorMessage(err) };
  }
  return { files };
}

function applyOne(text: string, c: Candidate): string {
  const w = c.where;
  switch (w.kind) {
    case 'yaml': return editYaml(text, [{ path: w.path, value: c.to }]);
    case 'requirements': return editRequirement(text, w.line, c.name, c.to);
    case 'packageJson': return editPackageJson(text, c.name, c.to);
    default: throw new GitfleetError('E_INTERNAL', 'unknown pin location');
  }
}

/** A key per pin, so that two proposals changing the same pin are never validated together. */
export function pinKey(c: Candidate): string {
  return `${c.where.file}\n${c.manager}:${c.name}`;
}
