import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inBatches } from '../../util/batches.js';
import { GitfleetError, errorMessage } from '../../util/errors.js';
import { isDir } from '../common.js';
import type { Target } from '../types.js';
import { dependencyNames, parseInstalledManifest, type InstalledManifest } from './parse.js';

// Files read between two yields to the event loop; small files read synchronously beat the libuv pool.
const READ_BATCH = 64;

/**
 * The node_modules folder of a prefix (`lib/node_modules` on POSIX, `node_modules` on Windows;
 * both layouts are tried) or a project; undefined when the target has none yet.
 */
export async function nodeModulesOf(target: Target): Promise<string | undefined> {
  const root = target.path ?? '';
  try {
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new GitfleetError('E_NOT_FOUND', `npm ${target.kind} ${root} does not exist or is not a directory`, { cause: err });
  }
  const candidates = target.kind === 'node-prefix' ? [join(root, 'lib', 'node_modules'), join(root, 'node_modules')] : [join(root, 'node_modules')];
  for (const c of candidates) if (await isDir(c)) return c;
  return undefined;
}

/**
 * Top-level packages of a node_modules folder (`x/package.json`, `@scope/x/package.json`), as
 * `npm ls --depth=0` shows them: folder name → version. With `root` (a project's package.json
 * folder) hoisted transitive packages are left out, as npm ls does: a package is shown when the
 * project asks for it or when nothing installed at the top level requires it.
 * Any package.json that is not JSON throws one E_PARSE naming every bad file.
 */
export async function readNodeModules(dir: string, root?: string): Promise<Record<string, string>> {
  const names = await packageFolders(dir);
  const results = await inBatches(names, READ_BATCH, (name): { manifest?: InstalledManifest; error?: string } => {
    const file = join(dir, name, 'package.json');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      // A folder without package.json is not a package (npm leaves such debris after failed installs).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { error: `${file}: cannot be read (${errorMessage(err)})` };
    }
    try {
      return { manifest: parseInstalledManifest(text, file) };
    } catch (err) {
      return { error: errorMessage(err) };
    }
  });
  const errors = results.flatMap((r) => (r.error ? [r.error] : []));
  if (errors.length > 0) {
    const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
    throw new GitfleetError('E_PARSE', `cannot list ${dir}: ${errors.slice(0, 5).join('; ')}${more}`);
  }
  const installed = new Map<string, InstalledManifest>();
  names.forEach((n, i) => {
    const m = results[i]?.manifest;
    if (m) installed.set(n, m);
  });
  const keep = root === undefined ? () => true : await projectFilter(root, installed);
  const out: Record<string, string> = {};
  for (const [name, m] of installed) if (keep(name)) out[name] = m.version;
  return out;
}

async function projectFilter(root: string, installed: Map<string, InstalledManifest>): Promise<(name: string) => boolean> {
  const file = join(root, 'package.json');
  let direct = new Set<string>();
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text !== undefined) {
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new GitfleetError('E_PARSE', `${file}: is not valid JSON`, { cause: err });
    }
    direct = new Set(dependencyNames(manifest, ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']));
  }
  const required = new Set([...installed.values()].flatMap((m) => m.requires));
  return (name) => direct.has(name) || !required.has(name);
}

async function packageFolders(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || !(e.isDirectory() || e.isSymbolicLink())) continue;
    if (!e.name.startsWith('@')) {
      out.push(e.name);
      continue;
    }
    const scoped = await readdir(join(dir, e.name), { withFileTypes: true }).catch(() => []);
    for (const s of scoped) {
      if (!s.name.startsWith('.') && (s.isDirectory() || s.isSymbolicLink())) out.push(`${e.name}/${s.name}`);
    }
  }
  return out.sort();
}
