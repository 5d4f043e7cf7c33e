import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { GitfleetError, errorMessage } from '../util/errors.js';
import type { Command, Runner } from '../util/exec.js';
import { comparePaths, resolveLinkText } from './load-paths.js';
import type { FleetSource, SourceEntry } from './source.js';

export interface GitSourceOptions {
  /** Blobs up to this size are fetched in the one `cat-file --batch`; larger ones only when read (default 4 MiB). */
  maxBatchBlobBytes?: number;
  /** Timeout of each git process (default 2 minutes). */
  timeoutMs?: number;
  /** A folder of the repository that holds the fleet (`fleet/`); paths are then relative to it. */
  subdir?: string;
}

interface TreeEntry { path: string; kind: 'file' | 'symlink'; sha: string; size: number }

/** A blob's exact bytes, or 'not-utf8' when the text-only Runner could not deliver them. */
type Blob = Uint8Array | 'not-utf8';

const MAX_LINK_HOPS = 40;
/** Keeps one batch's output far below the Runner's 256 MiB buffer. */
const BATCH_BUDGET = 64 * 1024 * 1024;
const REV_PATTERN = /^[^\s\0-\x1f\x7f-][^\s\0-\x1f\x7f]{0,254}$/;

/** The git source behind `gitSource`: resolves REV, lists its tree, then fetches blobs in one batch on first use. */
export async function makeGitSource(runner: Runner, repoDir: string, rev: string, opts: GitSourceOptions): Promise<FleetSource> {
  if (!REV_PATTERN.test(rev)) throw new GitfleetError('E_USAGE', `"${rev}" is not a usable git revision (no leading "-", spaces or control characters)`);
  const git = gitRunner(runner, resolve(repoDir), opts.timeoutMs ?? 120_000);
  const describe = `${repoDir}@${rev}${opts.subdir ? `:${opts.subdir}` : ''}`;
  const parsed = await git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  const sha = parsed.stdout.trim();
  if (parsed.exitCode !== 0 || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
    const why = parsed.stderr.trim() || `no commit named "${rev}"`;
    throw new GitfleetError('E_GIT', `cannot read revision ${rev} of ${repoDir}: ${why}`);
  }
  const subdir = (opts.subdir ?? '').replace(/^\/+|\/+$/g, '');
  if (subdir && (subdir.split('/').includes('..') || !REV_PATTERN.test(subdir))) throw new GitfleetError('E_USAGE', `"${subdir}" is not a folder of the repository`);
  const tree = await git(['ls-tree', '-r', '-z', '--long', '--full-tree', subdir ? `${sha}:${subdir}` : sha]);
  if (tree.exitCode !== 0 && subdir) throw new GitfleetError('E_GIT', `revision ${rev} (${sha.slice(0, 12)}) of ${repoDir} has no folder ${subdir}/`);
  if (tree.exitCode !== 0) throw new GitfleetError('E_GIT', `git ls-tree ${sha} in ${repoDir} failed: ${tree.stderr.trim()}`);
  const entries = parseLsTree(tree.stdout);
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const cap = opts.maxBatchBlobBytes ?? 4 * 1024 * 1024;

  let blobs: Promise<Map<string, Blob>> | undefined;
  const batch = (): Promise<Map<string, Blob>> => (blobs ??= fetchBlobs(git, entries.filter((e) => e.size <= cap || e.kind === 'symlink')));
  let listing: Promise<SourceEntry[]> | undefined;

  const blobOf = async (e: TreeEntry): Promise<Blob> => {
    const got = (await batch()).get(e.sha);
    if (got !== undefined) return got;
    return (await fetchBlobs(git, [e])).get(e.sha) ?? 'not-utf8';
  };
  const linkText = async (e: TreeEntry): Promise<string | null> => {
    const b = await blobOf(e);
    return b === 'not-utf8' ? null : Buffer.from(b).toString('utf8');
  };
  // Resolves a path component by component, substituting symlinks, like realpath on a checkout.
  // A cycle gives the first hop, so the loader can name it a loop rather than an escape.
  const resolvePath = async (path: string): Promise<string | null> => {
    let parts = path.split('/');
    for (let hops = 0, i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join('/');
      const e = byPath.get(prefix);
      if (e?.kind !== 'symlink') continue;
      if (++hops > MAX_LINK_HOPS) return firstHop(path);
      const text = await linkText(e);
      const target = text === null ? null : resolveLinkText(prefix, text);
      if (target === null) return null;
      parts = [...(target === '.' ? [] : target.split('/')), ...parts.slice(i + 1)];
      i = -1;
    }
    return parts.length === 0 ? '.' : parts.join('/');
  };

  const firstHop = async (path: string): Promise<string | null> => {
    const e = byPath.get(path);
    const text = e ? await linkText(e) : null;
    return text === null ? null : resolveLinkText(path, text);
  };

  return {
    describe,
    revision: sha,
    list() {
      return (listing ??= Promise.all(entries.map(async (e): Promise<SourceEntry> => (e.kind === 'file'
        ? { path: e.path, kind: 'file', size: e.size }
        : { path: e.path, kind: 'symlink', size: e.size, target: await resolvePath(e.path) }))));
    },
    async read(path) {
      const start = byPath.get(path);
      if (!start) throw new GitfleetError('E_NOT_FOUND', `${path} does not exist in ${describe}`);
      const real = start.kind === 'symlink' ? await resolvePath(path) : path;
      if (real === null) throw new GitfleetError('E_IO', `${path} is a symlink that leaves the repository in ${describe}`);
      const e = byPath.get(real);
      if (!e || e.kind !== 'file') throw new GitfleetError('E_NOT_FOUND', `${path} points to ${real}, which is not a file in ${describe}`);
      const b = await blobOf(e);
      if (b === 'not-utf8') throw new GitfleetError('E_PARSE', `${path} in ${describe} is not UTF-8 text`);
      return b;
    },
  };
}

type Git = (args: string[], input?: string) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

/** git with a clean, predictable environment: no system/global config, no prompts, no lazy fetches, no replace refs. */
function gitRunner(runner: Runner, repo: string, timeoutMs: number): Git {
  const env = {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
    // never discover a repository above repoDir
    GIT_CEILING_DIRECTORIES: dirname(repo),
    LC_ALL: 'C',
  };
  return async (args, input) => {
    const cmd: Command = {
      file: 'git',
      args: ['-C', repo, '-c', 'core.fsmonitor=false', '-c', 'protocol.allow=never', '-c', 'core.quotePath=false', ...args],
      env, cleanEnv: true, timeoutMs, ...(input === undefined ? {} : { input }),
    };
    try {
      return await runner.run(cmd);
    } catch (err) {
      throw new GitfleetError('E_GIT', `git ${args[0] ?? ''} in ${repo} failed: ${errorMessage(err)}`, { cause: err });
    }
  };
}

/** Parses `git ls-tree -r -z --long`: `<mode> <type> <sha> <size>\t<path>\0`; keeps files and symlinks, sorted. */
export function parseLsTree(out: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const rec of out.split('\0')) {
    if (rec === '') continue;
    const m = /^(\d{6}) (\w+) ([0-9a-f]{40,64}) +(-|\d+)\t(.+)$/s.exec(rec);
    if (!m) throw new GitfleetError('E_GIT', `unexpected git ls-tree output: ${JSON.stringify(rec.slice(0, 200))}`);
    const [, mode, type, sha, size, path] = m as unknown as [string, string, string, string, string, string];
    if (type !== 'blob') continue; // submodules (commits) are not fleet files
    entries.push({ path, kind: mode === '120000' ? 'symlink' : 'file', sha, size: Number(size) });
  }
  return entries.sort((a, b) => comparePaths(a.path, b.path));
}

/** Fetches blobs with `git cat-file --batch`, one process per 64 MiB of blobs (normally one). */
async function fetchBlobs(git: Git, wanted: readonly TreeEntry[]): Promise<Map<string, Blob>> {
  const unique = [...new Map(wanted.map((e) => [e.sha, e])).values()];
  const out = new Map<string, Blob>();
  for (let i = 0; i < unique.length;) {
    const chunk: TreeEntry[] = [];
    for (let bytes = 0; i < unique.length && (chunk.length === 0 || bytes + unique[i]!.size <= BATCH_BUDGET); i++) {
      chunk.push(unique[i]!);
      bytes += unique[i]!.size + 64;
    }
    const res = await git(['cat-file', '--batch'], chunk.map((e) => `${e.sha}\n`).join(''));
    if (res.exitCode !== 0) throw new GitfleetError('E_GIT', `git cat-file --batch failed: ${res.stderr.trim()}`);
    for (const [sha, blob] of parseBatch(res.stdout, chunk)) out.set(sha, blob);
  }
  return out;
}

/**
 * Splits `cat-file --batch` output. The Runner decodes stdout as UTF-8, which is lossless for UTF-8 blobs:
 * re-encoded, they have their recorded size and hash, and are checked against both. A blob that is not
 * UTF-8 changed size or hash in decoding; it is marked 'not-utf8' and the stream resumes at the next
 * header (ASCII, so decoding never damages it). Hash checks mean no blob can pass off as another.
 */
export function parseBatch(stdout: string, requested: readonly { sha: string; size: number }[]): Map<string, Blob> {
  const buf = Buffer.from(stdout, 'utf8');
  const out = new Map<string, Blob>();
  let pos = 0;
  requested.forEach((req, i) => {
    const header = `${req.sha} blob ${req.size}\n`;
    if (buf.toString('latin1', pos, pos + header.length) !== header) {
      const seen = buf.toString('utf8', pos, Math.min(buf.length, pos + 120)).split('\n')[0];
      throw new GitfleetError('E_GIT', `git cat-file --batch: expected "${header.trim()}", got "${seen}"`);
    }
    pos += header.length;
    const end = pos + req.size;
    if (end < buf.length && buf[end] === 0x0a && blobHash(req.sha, buf.subarray(pos, end)) === req.sha) {
      out.set(req.sha, new Uint8Array(buf.subarray(pos, end)));
      pos = end + 1;
      return;
    }
    out.set(req.sha, 'not-utf8');
    const next = requested[i + 1];
    const at = next ? buf.indexOf(`\n${next.sha} `, pos, 'latin1') : buf.length - 1;
    if (at < 0 || buf[at] !== 0x0a) throw new GitfleetError('E_GIT', `git cat-file --batch: cannot find the end of blob ${req.sha}`);
    pos = at + 1;
  });
  if (pos !== buf.length) throw new GitfleetError('E_GIT', 'git cat-file --batch: unexpected trailing output');
  return out;
}

/** Git's object id of a blob (SHA-1, or SHA-256 for repositories in that format). */
function blobHash(sha: string, content: Uint8Array): string {
  const h = createHash(sha.length === 64 ? 'sha256' : 'sha1');
  h.update(`blob ${content.length}\0`);
  h.update(content);
  return h.digest('hex');
}
