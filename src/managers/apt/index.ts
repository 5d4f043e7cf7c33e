import { readdirSync } from 'node:fs';
import { endianness } from 'node:os';
import { posix } from 'node:path';
import { GitfleetError, errorMessage } from '../../util/errors.js';
import { runChecked, type Runner } from '../../util/exec.js';
import { detectWith, withCtxOverriding } from '../common.js';
import type { AdapterContext, Detection, ManagerAdapter, ManagerSources, Target } from '../types.js';
import {
  adminDir, aptCommands, debFileNames, debianArch, dpkgQueryCommand, madisonCommand, validAptName, type DebFinder,
} from './commands.js';
import { parseDpkgQuery, parseMadison, parseToolVersion } from './parse.js';
import { readDpkgStatus } from './status-cache.js';
import { debian } from './versions.js';

// dpkg's native architecture is compiled into dpkg; Node's arch tells it without a spawn on
// every common platform, `dpkg --print-architecture` answers (once) where it is ambiguous.
let nativeArchCache: string | undefined = debianArch(process.arch, endianness() === 'LE');

/** The apt/dpkg adapter: lists from the dpkg status file, changes through apt-get or dpkg --root. */
export const aptAdapter: ManagerAdapter = {
  id: 'apt',
  os: ['linux'],
  versions: debian,
  normalizeName: (name) => name.toLowerCase(),
  validName: validAptName,

  async detect(ctx) {
    // apt-get is what changes system targets; dpkg alone still serves root targets.
    const aptGet = await probe(ctx, 'apt-get');
    return aptGet.present ? aptGet : probe(ctx, 'dpkg');
  },

  async listInstalled(target, ctx) {
    const file = statusFile(target);
    const nativeArch = await nativeArchOf(ctx.runner, ctx);
    try {
      return { packages: readDpkgStatus(file, nativeArch), via: 'database' };
    } catch (err) {
      if (!(err instanceof GitfleetError && err.code === 'E_IO')) throw err;
      return { packages: await listViaDpkgQuery(target, ctx, file, err.cause), via: 'command' };
    }
  },

  async listAvailable(name, ctx) {
    const res = await runChecked(ctx.runner, withCtxOverriding(madisonCommand(name), ctx));
    return parseMadison(res.stdout, name);
  },

  commands(changes, target, sources) {
    return aptCommands(changes, target, target.kind === 'root' ? debFinder(sources) : undefined);
  },
};

/** The status file of a target: the system's, or the one under an alternative root. */
function statusFile(target: Target): string {
  if (target.kind === 'system') return '/var/lib/dpkg/status';
  if (target.kind !== 'root') throw new GitfleetError('E_UNSUPPORTED', `apt lists system and root targets, not ${target.kind}`);
  if (!target.path || !posix.isAbsolute(target.path)) {
    throw new GitfleetError('E_VALIDATION', `apt root target needs an absolute path, got ${JSON.stringify(target.path)}`);
  }
  return posix.join(adminDir(target.path), 'status');
}

async function listViaDpkgQuery(target: Target, ctx: AdapterContext, file: string, readErr: unknown): Promise<Record<string, string>> {
  try {
    const res = await runChecked(ctx.runner, withCtxOverriding(dpkgQueryCommand(target), ctx));
    return parseDpkgQuery(res.stdout);
  } catch (err) {
    throw new GitfleetError('E_IO', `cannot list dpkg packages: reading ${file} failed (${errorMessage(readErr)}) and dpkg-query failed (${errorMessage(err)})`, { cause: err });
  }
}

async function nativeArchOf(runner: Runner, ctx: AdapterContext): Promise<string> {
  if (nativeArchCache) return nativeArchCache;
  const res = await runChecked(runner, withCtxOverriding({ file: 'dpkg', args: ['--print-architecture'] }, ctx));
  nativeArchCache = res.stdout.trim();
  return nativeArchCache;
}

async function probe(ctx: AdapterContext, file: string): Promise<Detection> {
  const cmd = withCtxOverriding({ file, args: ['--version'], env: { LC_ALL: 'C' } }, ctx);
  return detectWith(ctx, cmd, (res) => ({ present: true, version: parseToolVersion(res.stdout), path: file }));
}

/** Looks .deb files up by name in the `findLinks` folders (each read once per call). */
function debFinder(sources: ManagerSources | undefined): DebFinder | undefined {
  const dirs = sources?.findLinks;
  if (!dirs || dirs.length === 0) return undefined;
  let listing: Array<{ dir: string; files: Set<string> }> | undefined;
  return (name, version) => {
    listing ??= dirs.map((dir) => {
      if (!posix.isAbsolute(dir)) throw new GitfleetError('E_VALIDATION', `sources.findLinks entry "${dir}" must be an absolute folder path`);
      try {
        return { dir, files: new Set(readdirSync(dir)) };
      } catch (err) {
        throw new GitfleetError('E_IO', `cannot read .deb folder ${dir}: ${errorMessage(err)}`, { cause: err });
      }
    });
    const wanted = debFileNames(name, version, nativeArchCache ?? 'all');
    for (const { dir, files } of listing) {
      const hit = wanted.find((f) => files.has(f));
      if (hit) return posix.join(dir, hit);
    }
    // A foreign-arch package named without its qualifier: accept it when it is the only one.
    if (name.includes(':')) return undefined;
    const prefix = wanted[0]!.slice(0, wanted[0]!.lastIndexOf('_') + 1);
    const loose = listing.flatMap(({ dir, files }) => [...files].filter((f) => f.startsWith(prefix) && f.endsWith('.deb')).map((f) => posix.join(dir, f)));
    return loose.length === 1 ? loose[0] : undefined;
  };
}
