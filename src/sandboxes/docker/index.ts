import { stat } from 'node:fs/promises';
import { CommandError, describe, runChecked } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { ctxCommand, firstLine, unsupported } from '../env.js';
import { claimFolder, ownedMarker, readMarker, removeFolder } from '../marker.js';
import { checkSandboxName, checkSandboxPath } from '../paths.js';
import { distinctFolders, mapSourceFolders, sourceFolders, sourceMountFolders, sourcePathInside } from '../sources.js';
import { hasLimits } from '../status.js';
import type { Availability, DesiredSandbox, SandboxContext, SandboxDriver } from '../types.js';
import {
  containerName, dockerExec, dockerInfoCommand, dockerInspectCommand, dockerRemoveCommand, dockerRunCommand,
  dockerStartCommand, missingSourceMounts, parseDockerInspect, type ContainerState,
} from './commands.js';

/** docker: a long-lived container per sandbox, limits enforced by the engine, the marker in a host folder mounted at /sandbox. */
export const dockerDriver: SandboxDriver = {
  type: 'docker',
  available: dockerAvailable,

  async inspect(sb, ctx) {
    const dir = checkSandboxPath(sb.path);
    const marker = await readMarker(dir);
    const type = marker && marker !== 'invalid' ? marker.type : undefined;
    const a = await dockerAvailable(ctx);
    if (!a.ok) return { exists: false, ...(type ? { type } : {}), detail: a.reason };
    const c = await container(sb, ctx);
    if (!c) return { exists: false, ...(type ? { type } : {}) };
    const ours = c.labels['gitfleet.sandbox'] === sb.name;
    const t = type ?? (ours ? 'docker' : undefined);
    const missing = missingSourceMounts(c, ctx.sourceFolders ?? []);
    return {
      exists: true,
      ...(t ? { type: t } : {}),
      running: c.running,
      detail: `container ${containerName(sb)} ${c.status} (${c.image})${ours ? '' : ', not labelled as a gitfleet sandbox'}${missing.length ? `, ${lacks(missing)}` : ''}`,
      ...(missing.length ? { missingSourceFolders: missing } : {}),
    };
  },

  async create(sb, ctx) {
    checkSandboxName(sb.name);
    checkSandboxPath(sb.path);
    const folders = distinctFolders(ctx.sourceFolders ?? []);
    const run = dockerRunCommand(sb, folders); // validates image, limits and folders before anything happens
    await assertFolders(sb, folders);
    const a = await dockerAvailable(ctx);
    if (!a.ok) throw unsupported(a.reason);
    const limits = hasLimits(sb) ? 'enforced' : 'none';
    const c = await container(sb, ctx);
    if (c) assertOurs(sb, c);
    // docker cannot add a mount to a container; replacing it would lose what is installed in it, unplanned
    const missing = c ? missingSourceMounts(c, folders) : [];
    if (missing.length) throw stale(sb, missing);
    await claimFolder(sb, 'docker', ctx.now);
    if (c) {
      if (!c.running) await runChecked(ctx.runner, ctxCommand(ctx, dockerStartCommand(sb)));
      return { created: false, limits };
    }
    await runChecked(ctx.runner, ctxCommand(ctx, run));
    return { created: true, limits };
  },

  async remove(sb, ctx) {
    const marker = await ownedMarker(sb, 'docker');
    const a = await dockerAvailable(ctx);
    if (!a.ok) throw unsupported(a.reason);
    const c = await container(sb, ctx);
    if (c) {
      assertOurs(sb, c);
      await runChecked(ctx.runner, ctxCommand(ctx, dockerRemoveCommand(sb)));
    }
    if (marker) await removeFolder(sb.path);
  },

  target() {
    // packages live in the container's own system, reached through `exec`
    return { kind: 'system' };
  },

  exec: dockerExec,

  async sourcesInside(sb, sources, ctx) {
    const folders = sourceFolders([sources]);
    if (folders.length === 0) return sources;
    // Checked here rather than left to the manager: pip only warns about a missing --find-links folder, then fails
    // with "no matching distribution", which says nothing of the cause.
    const c = await container(sb, ctx);
    if (!c) throw new GitfleetError('E_NOT_FOUND', `docker sandbox ${sb.name}: container ${containerName(sb)} does not exist; apply creates it`);
    const missing = missingSourceMounts(c, sourceMountFolders(folders, ctx.checkoutRoot));
    if (missing.length) throw stale(sb, missing);
    return mapSourceFolders(sources, (f) => sourcePathInside(f, ctx.checkoutRoot));
  },
};

/** Does a docker engine answer here? */
async function dockerAvailable(ctx: SandboxContext): Promise<Availability> {
  let res;
  try {
    res = await ctx.runner.run(ctxCommand(ctx, dockerInfoCommand(), 30_000));
  } catch (err) {
    if (err instanceof GitfleetError && err.code === 'E_COMMAND_NOT_FOUND') return { ok: false, reason: 'docker is not available on this host: the docker CLI is not on PATH' };
    if (err instanceof GitfleetError && err.code === 'E_COMMAND_TIMEOUT') return { ok: false, reason: 'docker is not available on this host: docker info did not answer in time' };
    throw err;
  }
  const version = res.stdout.trim();
  if (res.exitCode !== 0 || !version) {
    return { ok: false, reason: `docker is not available on this host: no docker engine answered (docker info: ${firstLine(res.stderr, res.stdout) || `exit ${res.exitCode}`})` };
  }
  return { ok: true, version };
}

async function container(sb: DesiredSandbox, ctx: SandboxContext): Promise<ContainerState | undefined> {
  const res = await ctx.runner.run(ctxCommand(ctx, dockerInspectCommand(sb)));
  if (res.exitCode !== 0) {
    // docker says "No such container" (older engines: "No such object") on stderr with exit 1
    if (/no such (container|object)/i.test(res.stderr)) return undefined;
    throw new CommandError('E_COMMAND_FAILED', `${describe(res.command)} exited with ${res.exitCode}: ${firstLine(res.stderr, res.stdout)}`, {
      command: res.command, exitCode: res.exitCode, stderr: res.stderr, durationMs: res.durationMs,
    });
  }
  return parseDockerInspect(res.stdout);
}

/** Every package folder is a folder on this host: a bind mount of a missing one fails with a less useful message. */
async function assertFolders(sb: DesiredSandbox, folders: readonly string[]): Promise<void> {
  for (const f of folders) {
    const s = await stat(f).catch(() => undefined);
    if (!s?.isDirectory()) throw new GitfleetError('E_NOT_FOUND', `docker sandbox ${sb.name}: package folder ${f} (sources findLinks) is not a folder on this host, so it cannot be mounted into the container`);
  }
}

function lacks(missing: readonly string[]): string {
  return `without the read-only mount of package folder${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
}

function stale(sb: DesiredSandbox, missing: readonly string[]): GitfleetError {
  return new GitfleetError('E_UNSUPPORTED', `docker sandbox ${sb.name}: container ${containerName(sb)} was made ${lacks(missing)} (made before gitfleet mounted package folders, or before a baseline named ${missing.length > 1 ? 'them' : 'it'}), and docker cannot add a mount to a container; remove it (docker rm -f ${containerName(sb)}) and apply again to have it made with the mount`);
}

function assertOurs(sb: DesiredSandbox, c: ContainerState): void {
  if (c.labels['gitfleet.sandbox'] !== sb.name) {
    throw new GitfleetError('E_VALIDATION', `a container named ${containerName(sb)} exists but is not labelled gitfleet.sandbox=${sb.name}; gitfleet will not touch it`);
  }
}
