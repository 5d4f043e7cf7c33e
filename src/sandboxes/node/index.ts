import { mkdir, stat } from 'node:fs/promises';
import { join, posix, win32 } from 'node:path';
import { firstLine, probe, unsupported, withPath } from '../env.js';
import { claimFolder, ownedMarker, removeFolder } from '../marker.js';
import { checkSandboxName, checkSandboxPath } from '../paths.js';
import { folderStatus, recordedLimits } from '../status.js';
import type { Availability, DesiredSandbox, SandboxContext, SandboxDriver } from '../types.js';
import { parseToolVersion, versionMatches } from '../version.js';

/** The folders of an npm prefix (`npm install -g --prefix P`): modules and executables. Pure. */
export function nodePrefixLayout(prefix: string, platform: NodeJS.Platform): { modules: string; bin: string } {
  // npm's global layout differs: POSIX has P/lib/node_modules and P/bin, Windows P\node_modules and P itself
  if (platform === 'win32') return { modules: win32.join(prefix, 'node_modules'), bin: prefix };
  return { modules: posix.join(prefix, 'lib', 'node_modules'), bin: posix.join(prefix, 'bin') };
}

/** A node-prefix driver for `platform`. */
export function makeNodeDriver(platform: NodeJS.Platform): SandboxDriver {
  const available = async (ctx: SandboxContext): Promise<Availability> => {
    const res = await probe(ctx, 'node', ['--version']);
    if (!res) return { ok: false, reason: 'node is not available on this host: node is not on PATH' };
    const version = parseToolVersion(res.stdout);
    if (res.exitCode !== 0 || !version) return { ok: false, reason: `node is not available on this host: node --version failed (${firstLine(res.stderr, res.stdout)})` };
    return { ok: true, version };
  };

  return {
    type: 'node',
    available,

    inspect(sb) {
      return folderStatus(sb, 'node', (dir) => prefixPresent(dir, platform));
    },

    async create(sb, ctx) {
      checkSandboxName(sb.name);
      const dir = checkSandboxPath(sb.path);
      await checkNode(sb, ctx, available);
      const before = await folderStatus(sb, 'node', (d) => prefixPresent(d, platform));
      await claimFolder(sb, 'node', ctx.now);
      const layout = nodePrefixLayout(dir, platform);
      await mkdir(layout.modules, { recursive: true });
      await mkdir(layout.bin, { recursive: true });
      return { created: !(before.exists && before.type === 'node'), limits: recordedLimits(sb) };
    },

    async remove(sb) {
      if (await ownedMarker(sb, 'node')) await removeFolder(sb.path);
    },

    target(sb) {
      return { kind: 'node-prefix', path: checkSandboxPath(sb.path) };
    },

    exec(sb, cmd) {
      const dir = checkSandboxPath(sb.path);
      const layout = nodePrefixLayout(dir, platform);
      // NPM_CONFIG_PREFIX makes a plain `npm install -g` land here; NODE_PATH lets scripts require what is installed
      return withPath(cmd, [layout.bin], platform, { ...sb.env, NPM_CONFIG_PREFIX: dir, NODE_PATH: layout.modules });
    },
  };
}

/** The node driver for this host. */
export const nodeDriver = makeNodeDriver(process.platform);

async function checkNode(sb: DesiredSandbox, ctx: SandboxContext, available: (ctx: SandboxContext) => Promise<Availability>): Promise<void> {
  const a = await available(ctx);
  if (!a.ok) throw unsupported(a.reason);
  if (sb.node && a.version && !versionMatches(sb.node, a.version)) {
    throw unsupported(`template "${sb.template}" wants Node.js ${sb.node} for sandbox "${sb.name}" but this host has Node.js ${a.version}; install Node.js ${sb.node}`);
  }
}

async function prefixPresent(dir: string, platform: NodeJS.Platform): Promise<string | false> {
  const modules = platform === 'win32' ? join(dir, 'node_modules') : join(dir, 'lib', 'node_modules');
  try {
    return (await stat(modules)).isDirectory() ? 'an npm prefix' : false;
  } catch {
    return false;
  }
}
