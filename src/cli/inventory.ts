import type { CliCommand } from './types.js';
import { parseFlags } from './args.js';
import { collectInventory, parseTarget } from '../host/inventory.js';
import { allManagers } from '../managers/api.js';
import { execRunner } from '../util/exec.js';

export const inventoryCommand: CliCommand = {
  name: 'inventory',
  summary: 'list what every package manager has installed in a target',
  help: `Usage: gitfleet inventory [--target T] [--json]

Lists the installed packages of every package manager found on this host (the system target), or
of the managers that can live in the given target. Listing reads the managers' own databases
(dist-info, node_modules, dpkg status, ...) directly and falls back to their CLI; a manager whose
listing fails is shown as unknown with the reason, and the others are still listed.

Flags:
  --target T    system (default), venv:PATH, node-prefix:PATH, node-project:PATH, conda-env:PATH,
                or root:PATH (an alternative root for dpkg/rpm)
  --json        machine-readable: [{manager, version, status, via, packages, error}]
  --timeout MS  per-command timeout for managers that must be asked (default 10000)

Example:
  gitfleet inventory --target venv:/opt/gitfleet/sandboxes/trainer`,
  async run(ctx) {
    const { values } = parseFlags(ctx.argv, { target: { type: 'string', default: 'system' }, json: { type: 'boolean' }, timeout: { type: 'string' } }, false);
    const target = parseTarget(values.target as string);
    const inv = await collectInventory(allManagers(), target, { runner: execRunner, timeoutMs: values.timeout ? Number(values.timeout) : 10_000 });
    if (values.json) {
      ctx.stdout.write(JSON.stringify(inv, null, 2) + '\n');
      return inv.some((m) => m.status === 'unknown') ? 1 : 0;
    }
    for (const m of inv) {
      if (m.status === 'absent') continue;
      const head = `${m.manager}${m.version ? ` ${m.version}` : ''}`;
      if (m.status === 'unknown') {
        ctx.stdout.write(`${head}: unknown — ${m.error?.message}\n`);
        continue;
      }
      const pkgs = Object.entries(m.packages ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
      ctx.stdout.write(`${head}: ${pkgs.length} package${pkgs.length === 1 ? '' : 's'} (${m.via === 'database' ? 'read from its database' : 'from its CLI'})\n`);
      const w = Math.max(0, ...pkgs.map(([n]) => n.length));
      for (const [n, v] of pkgs) ctx.stdout.write(`  ${n.padEnd(w)}  ${v}\n`);
    }
    const absent = inv.filter((m) => m.status === 'absent').map((m) => m.manager);
    if (absent.length) ctx.stdout.write(`not on this host: ${absent.join(', ')}\n`);
    return inv.some((m) => m.status === 'unknown') ? 1 : 0;
  },
};
