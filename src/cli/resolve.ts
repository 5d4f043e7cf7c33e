import { resolve } from 'node:path';
import type { CliCommand } from './types.js';
import { parseFlags } from './args.js';
import { openFleet } from '../fleet/open.js';
import { resolveHost, positionOf, type DesiredHost, type DesiredTarget, type Origin } from '../fleet/resolve.js';
import type { FleetModel } from '../fleet/model.js';
import { execRunner } from '../util/exec.js';
import { GitfleetError, ValidationError } from '../util/errors.js';
import { closest } from '../fleet/suggest.js';

export const resolveCommand: CliCommand = {
  name: 'resolve',
  summary: "print a host's effective desired state, with where each value came from",
  help: `Usage: gitfleet resolve --host NAME [DIR] [--rev REV] [--state-dir DIR] [--json]

Validates the fleet in DIR (default: the current directory), then prints what host NAME should
have: its policies folded together, baselines that apply (and why others do not), includes
expanded, imports read, sandbox templates applied for its OS, every package with the file
and line it came from, and each target's index URLs and credentials reference with theirs
(credentials stay only beside the URLs written with them).

Flags:
  --host NAME       the host (required)
  --rev REV         read a git revision of the repository in DIR instead of the files on disk
  --state-dir DIR   expand {state} in sandbox paths to DIR
  --json            machine-readable output

Example:
  gitfleet resolve --host demo fleet`,
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, {
      host: { type: 'string' }, rev: { type: 'string' }, 'state-dir': { type: 'string' }, json: { type: 'boolean' },
    });
    const hostName = values.host as string | undefined;
    if (!hostName) throw new GitfleetError('E_USAGE', '--host NAME is required');
    const dir = resolve(ctx.cwd, positionals[0] ?? '.');
    const result = await openFleet(execRunner, { dir, rev: values.rev as string | undefined });
    if (!result.ok) throw new ValidationError(result.diagnostics);
    const model = result.model;
    if (!model.hosts.has(hostName)) {
      const guess = closest(hostName, [...model.hosts.keys()]);
      throw new GitfleetError('E_NOT_FOUND', `host "${hostName}" is not in the fleet${guess ? `; did you mean "${guess}"?` : ` (hosts: ${[...model.hosts.keys()].join(', ')})`}`);
    }
    const stateDir = values['state-dir'] ? resolve(ctx.cwd, values['state-dir'] as string) : undefined;
    const { host, diagnostics } = resolveHost(model, hostName, { stateDir });
    if (!host || diagnostics.length) throw new ValidationError(diagnostics);
    ctx.stdout.write(values.json ? JSON.stringify(toJson(model, host), null, 2) + '\n' : render(model, host));
    return 0;
  },
};

/** The stable JSON shape of a resolved host (sets become sorted arrays, origins get positions). */
export function toJson(model: FleetModel, h: DesiredHost): unknown {
  return {
    ...h,
    revision: model.revision ?? null,
    policy: { ...h.policy, deny: [...h.policy.deny].sort() },
    targets: h.targets.map(({ sourcesFrom, ...t }) => ({
      ...t,
      ...(sourcesFrom ? { sourcesFrom: Object.fromEntries(Object.entries(sourcesFrom).map(([m, fields]) => [m, Object.fromEntries(Object.entries(fields).map(([k, o]) => [k, at(model, o)]))])) } : {}),
      packages: t.packages.map((p) => ({ manager: p.manager, name: p.name, spec: p.spec, from: { file: p.origin.file, ...positionOf(model, p.origin), via: p.origin.via } })),
    })),
  };
}

function at(model: FleetModel, o: Origin): { file: string; line: number; column: number; via: string } {
  return { file: o.file, ...positionOf(model, o), via: o.via };
}

/** `sources pip.indexUrl  VALUE  file:line:col` for the index URLs and the credentials reference in effect. */
function sourceLines(model: FleetModel, t: DesiredTarget): string[] {
  const rows: [string, string, string][] = [];
  for (const [m, s] of Object.entries(t.sources) as [string, Record<string, unknown>][]) {
    for (const field of ['indexUrl', 'extraIndexUrls', 'registry', 'credentials'] as const) {
      const v = s[field];
      if (v === undefined) continue;
      const c = v as { secret?: string; index?: string };
      const value = field === 'credentials' ? `secret ${c.secret}${c.index ? ` for ${c.index}` : ''}` : Array.isArray(v) ? v.join(', ') : String(v);
      const o = t.sourcesFrom?.[m as keyof typeof t.sourcesFrom]?.[field];
      const pos = o && positionOf(model, o);
      rows.push([`sources ${m}.${field}`, value, o && pos ? `${o.file}:${pos.line}:${pos.column}` : '']);
    }
  }
  const w0 = Math.max(0, ...rows.map((r) => r[0].length));
  const w1 = Math.max(0, ...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd());
}

function render(model: FleetModel, h: DesiredHost): string {
  const lines: string[] = [];
  lines.push(`host ${h.name} (${h.os}/${h.arch}${h.wave ? `, wave ${h.wave}` : ''})${model.revision ? ` at ${model.revision.slice(0, 12)}` : ''}`);
  lines.push(`policies: ${h.policies.join(', ') || '(none)'} — drift ${h.policy.drift}, rollback ${h.policy.rollback}${h.policy.maintenance.length ? `, ${h.policy.maintenance.length} maintenance window(s)` : ''}${h.policy.healthChecks.length ? `, health checks: ${h.policy.healthChecks.map((c) => c.name).join(', ')}` : ''}`);
  lines.push(`agent: every ${h.agent.interval}, drift check every ${h.agent.driftInterval}`);
  lines.push('baselines:');
  for (const b of h.baselines) lines.push(`  ${b.applied ? '✓' : '·'} ${b.name}${b.reason ? `  (not applied: ${b.reason})` : ''}`);
  if (h.sandboxes.length) {
    lines.push('sandboxes:');
    for (const s of h.sandboxes) {
      const extra = [s.python && `python ${s.python}`, s.node && `node ${s.node}`, s.image && `image ${s.image}`, s.limits && `limits ${JSON.stringify(s.limits)}`].filter(Boolean).join(', ');
      lines.push(`  ${s.name}: ${s.type} at ${s.path} (template ${s.template}${extra ? `; ${extra}` : ''})`);
    }
  }
  for (const t of h.targets) {
    lines.push(`target ${t.target}:`);
    lines.push(...sourceLines(model, t));
    const width = Math.max(...t.packages.map((p) => `${p.manager} ${p.name}`.length), 10);
    for (const p of t.packages) {
      const pos = positionOf(model, p.origin);
      lines.push(`  ${`${p.manager} ${p.name}`.padEnd(width)}  ${p.spec.padEnd(12)}  ${p.origin.file}:${pos.line}:${pos.column}`);
    }
  }
  return lines.join('\n') + '\n';
}
