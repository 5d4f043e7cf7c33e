import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inBatches } from '../../util/batches.js';
import { GitfleetError, errorMessage } from '../../util/errors.js';
import { isDir } from '../common.js';
import { normalizePipName, parseCoreMetadata, type CoreMetadata } from './parse.js';

// Files read between two yields to the event loop (well under a millisecond of blocking).
const READ_BATCH = 64;
// The header block of a METADATA file (Name, Version, ...) sits well inside this; the long description follows.
const HEAD_BYTES = 16 * 1024;

/** Throws E_NOT_FOUND naming `path` when it is not an existing directory. */
export async function assertDirectory(path: string, what: string): Promise<void> {
  try {
    if ((await stat(path)).isDirectory()) return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') {
      throw new GitfleetError('E_IO', `cannot read ${what} ${path}: ${errorMessage(err)}`, { cause: err });
    }
  }
  throw new GitfleetError('E_NOT_FOUND', `${what} ${path} does not exist or is not a directory`);
}

/**
 * The site-packages folders of a venv: `lib/python3.*\/site-packages` (POSIX) and
 * `Lib/site-packages` (Windows). Empty when there is none.
 */
export async function findSitePackages(venv: string): Promise<string[]> {
  const found: string[] = [];
  const libEntries = await readdir(join(venv, 'lib')).catch(() => [] as string[]);
  for (const e of libEntries.sort()) {
    if (/^python3\.\d+$/.test(e) && (await isDir(join(venv, 'lib', e, 'site-packages')))) found.push(join(venv, 'lib', e, 'site-packages'));
  }
  if (found.length === 0 && (await isDir(join(venv, 'Lib', 'site-packages')))) found.push(join(venv, 'Lib', 'site-packages'));
  return found;
}

/** True when the venv also sees the system site-packages (then only pip itself can list it right). */
export async function includesSystemSitePackages(venv: string): Promise<boolean> {
  const cfg = await readFile(join(venv, 'pyvenv.cfg'), 'utf8').catch(() => '');
  return /^\s*include-system-site-packages\s*=\s*true\s*$/im.test(cfg);
}

/**
 * Reads every `*.dist-info/METADATA` and `*.egg-info` (dir with PKG-INFO, or file) in the
 * folders: normalized name → version exactly as written. Any unreadable or corrupt entry
 * throws one E_PARSE naming every bad file, so the target is reported unknown rather than wrong.
 */
export async function readSitePackages(dirs: string[]): Promise<Record<string, string>> {
  const files: string[] = [];
  for (const dir of dirs) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.endsWith('.dist-info')) files.push(join(dir, entry.name, 'METADATA'));
      else if (entry.name.endsWith('.egg-info')) {
        files.push(entry.isFile() ? join(dir, entry.name) : join(dir, entry.name, 'PKG-INFO'));
      }
    }
  }
  const results = await inBatches(files, READ_BATCH, (file): { meta?: CoreMetadata; error?: string } => {
    try {
      return { meta: parseCoreMetadata(readHead(file), file) };
    } catch (err) {
      if (err instanceof GitfleetError) return { error: err.message };
      return { error: `${file}: cannot be read (${errorMessage(err)})` };
    }
  });
  const errors = results.flatMap((r) => (r.error ? [r.error] : []));
  if (errors.length > 0) {
    const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
    throw new GitfleetError('E_PARSE', `cannot list the venv: ${errors.slice(0, 5).join('; ')}${more}`);
  }
  const packages: Record<string, string> = {};
  for (const r of results) {
    // The first folder wins on duplicates, as it does on sys.path.
    if (r.meta) packages[normalizePipName(r.meta.name)] ??= r.meta.version;
  }
  return packages;
}

/** The start of a metadata file, or all of it when the header block does not end in the first chunk. */
function readHead(file: string): string {
  const fd = openSync(file, 'r');
  let text: string;
  let n: number;
  try {
    const buf = Buffer.allocUnsafe(HEAD_BYTES);
    n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    text = buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
  return n < HEAD_BYTES || /\r?\n\r?\n/.test(text) ? text : readFileSync(file, 'utf8');
}
