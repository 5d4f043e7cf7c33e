import { posix, win32 } from 'node:path';
import { GitfleetError } from '../../util/errors.js';
import type { Command } from '../../util/exec.js';
import { carriesCredentials } from '../env.js';
import { checkSandboxName, checkSandboxPath } from '../paths.js';
import { dockerCpus, dockerMemory } from '../quantity.js';
import { distinctFolders, sourceMountPoint } from '../sources.js';
import type { DesiredSandbox } from '../types.js';

/** Where the sandbox's host folder appears inside its container. */
export const CONTAINER_MOUNT = '/sandbox';

const IMAGE = /^[a-z0-9][a-z0-9._/:@-]{0,254}$/;

/** The container of a sandbox: `gitfleet-<name>`. */
export function containerName(sb: DesiredSandbox): string {
  return `gitfleet-${checkSandboxName(sb.name)}`;
}

/** `docker info` asking only for the engine's version: fails when no engine answers. */
export function dockerInfoCommand(): Command {
  return { file: 'docker', args: ['info', '--format', '{{.ServerVersion}}'] };
}

/** `docker container inspect` of the sandbox's container (JSON array on stdout). */
export function dockerInspectCommand(sb: DesiredSandbox): Command {
  return { file: 'docker', args: ['container', 'inspect', containerName(sb)] };
}

/**
 * `docker run` of a long-lived container with the sandbox's limits enforced, its folder mounted at /sandbox and each
 * package folder in `sourceFolders` mounted read-only at its `sourceMountPoint`.
 */
export function dockerRunCommand(sb: DesiredSandbox, sourceFolders: readonly string[] = []): Command {
  const image = sb.image;
  if (!image || !IMAGE.test(image)) {
    throw new GitfleetError('E_VALIDATION', `docker sandbox "${sb.name}" needs an image like python:3.11-slim (template "${sb.template}" has ${image ? JSON.stringify(image) : 'none'})`);
  }
  const limits = [
    ...(sb.limits?.cpus !== undefined ? ['--cpus', dockerCpus(sb.limits.cpus)] : []),
    ...(sb.limits?.memory !== undefined ? ['--memory', dockerMemory(sb.limits.memory)] : []),
  ];
  return {
    file: 'docker',
    args: [
      'run', '-d', '--name', containerName(sb),
      // --init reaps and forwards signals so that `docker stop` does not wait out its timeout on `sleep`
      '--init', '--restart', 'unless-stopped',
      ...limits,
      '--label', `gitfleet.sandbox=${sb.name}`, '--label', `gitfleet.template=${sb.template}`,
      '-v', `${checkSandboxPath(sb.path)}:${CONTAINER_MOUNT}`,
      ...sourceMountArgs(sourceFolders),
      image, 'sleep', 'infinity',
    ],
  };
}

/**
 * `--mount type=bind,source=HOST,target=/gitfleet/sources/<n>,readonly` per folder: `--mount`, not `-v`, because a
 * Windows folder has a `:` that `-v` reads as a separator, and a bind `--mount` fails on a missing folder where `-v`
 * would quietly create an empty one.
 */
export function sourceMountArgs(sourceFolders: readonly string[]): string[] {
  return distinctFolders(sourceFolders).flatMap((f) => ['--mount', `type=bind,source=${f},target=${sourceMountPoint(f)},readonly`]);
}

/** `docker start` of a stopped sandbox container. */
export function dockerStartCommand(sb: DesiredSandbox): Command {
  return { file: 'docker', args: ['start', containerName(sb)] };
}

/** `docker rm -f` of the sandbox's container. */
export function dockerRemoveCommand(sb: DesiredSandbox): Command {
  return { file: 'docker', args: ['rm', '-f', containerName(sb)] };
}

/**
 * `cmd` run inside the sandbox's container: `docker exec [-i] -e K=V... -e NAME... [-w DIR] gitfleet-<name> file args...`.
 * The sandbox's env and the command's env go in with `-e`; a cwd under the sandbox's folder maps to /sandbox.
 * Entries that carry credentials go by name only (`-e NAME`): docker takes their values from its own environment,
 * which this command sets, so they never appear on a command line.
 */
export function dockerExec(sb: DesiredSandbox, cmd: Command): Command {
  checkSandboxPath(sb.path);
  const env = { ...sb.env, ...(cmd.env ?? {}) };
  const hidden = Object.fromEntries(Object.entries(env).filter(([k, v]) => carriesCredentials(k, v)));
  const workdir = cmd.cwd === undefined ? undefined : containerPath(sb, cmd.cwd);
  const { env: _env, cwd: _cwd, cleanEnv: _clean, ...rest } = cmd;
  return {
    ...rest,
    ...(Object.keys(hidden).length > 0 ? { env: hidden } : {}),
    file: 'docker',
    args: [
      'exec',
      ...(cmd.input !== undefined ? ['-i'] : []),
      ...Object.entries(env).flatMap(([k, v]) => ['-e', k in hidden ? k : `${k}=${v}`]),
      ...(workdir ? ['-w', workdir] : []),
      containerName(sb), cmd.file, ...cmd.args,
    ],
  };
}

/** The state of a container from `docker container inspect` output, or undefined for none. */
export interface ContainerState {
  status: string;
  running: boolean;
  image: string;
  labels: Record<string, string>;
  /** Where its mounts are, inside the container. */
  mounts: string[];
}

/** Parses `docker container inspect` output (a JSON array). Pure. */
export function parseDockerInspect(stdout: string): ContainerState | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (err) {
    throw new GitfleetError('E_PARSE', 'docker container inspect printed something that is not JSON', { cause: err });
  }
  const first = Array.isArray(parsed) ? (parsed[0] as InspectJson | undefined) : undefined;
  if (!first) return undefined;
  return {
    status: String(first.State?.Status ?? 'unknown'),
    running: first.State?.Running === true,
    image: String(first.Config?.Image ?? ''),
    labels: { ...(first.Config?.Labels ?? {}) },
    mounts: (first.Mounts ?? []).map((m) => String(m.Destination ?? '')).filter((d) => d !== ''),
  };
}

/** The part of `docker container inspect` gitfleet reads. */
interface InspectJson {
  State?: { Status?: string; Running?: boolean };
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  Mounts?: { Destination?: string }[] | null;
}

/**
 * The folders of `sourceFolders` that container `c` has no mount for. Only the mount point is compared: it is derived
 * from the host folder, and Docker Desktop reports a bind's source as its own VM path, not the one given.
 */
export function missingSourceMounts(c: ContainerState, sourceFolders: readonly string[]): string[] {
  return distinctFolders(sourceFolders).filter((f) => !c.mounts.includes(sourceMountPoint(f)));
}

function containerPath(sb: DesiredSandbox, cwd: string): string {
  const host = sb.path.replace(/[\\/]+$/, '');
  const windows = /^[A-Za-z]:/.test(host);
  const rel = windows ? win32.relative(host, cwd) : posix.relative(host, cwd);
  const inside = rel === '' || (!rel.startsWith('..') && !(windows ? win32 : posix).isAbsolute(rel));
  // a cwd outside the sandbox's folder is taken as a path inside the container already
  return inside ? posix.join(CONTAINER_MOUNT, ...rel.split(/[\\/]/).filter(Boolean)) : cwd;
}
