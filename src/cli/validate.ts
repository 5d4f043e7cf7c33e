import { relative, resolve } from 'node:path';
import type { CliCommand } from './types.js';
import { parseFlags } from './args.js';
import { openFleet } from '../fleet/open.js';
import { execRunner } from '../util/exec.js';
import { GitfleetError, formatDiagnostic, type Diagnostic } from '../util/errors.js';

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check a fleet repository against the schemas and its own references',
  help: `Usage: gitfleet validate [DIR] [--rev REV] [--format text|json|github] [--json]

Checks every document of the fleet in DIR (default: the current directory) in two layers:
the JSON schema of its kind, then meaning (references, include cycles, managers per OS,
versions, sandbox paths, policies). Each problem names file, line and column, says what is
wrong and what would be right, and has a stable code.

Flags:
  --rev REV        validate a git revision of the repository in DIR instead of the files on disk
  --format FORMAT  text (default), json, or github (::error annotations for GitHub Actions)
  --json           the same as --format json, as in the other commands

Exit codes: 0 valid, 1 invalid or error.

Example:
  gitfleet validate fleet
  gitfleet validate . --rev origin/main --format github`,
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, { rev: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' } });
    if (values.json && values.format !== undefined && values.format !== 'json') throw new GitfleetError('E_USAGE', `--json and --format ${String(values.format)} contradict each other`);
    const format = values.json ? 'json' : ((values.format as string | undefined) ?? 'text');
    if (!['text', 'json', 'github'].includes(format)) throw new GitfleetError('E_USAGE', `--format must be text, json or github, not "${format}"`);
    if (positionals.length > 1) throw new GitfleetError('E_USAGE', `expected at most one DIR, got ${positionals.length}`);
    const dir = resolve(ctx.cwd, positionals[0] ?? '.');
    const result = await openFleet(execRunner, { dir, rev: values.rev as string | undefined });
    const rel = relative(ctx.cwd, dir);
    const prefix = rel.startsWith('..') ? dir : rel;
    const shown = result.diagnostics.map((d) => ({ ...d, file: prefix ? `${prefix}/${d.file}` : d.file }));
    const m = result.model;
    const counts = { hosts: m.hosts.size, baselines: m.baselines.size, sandboxTemplates: m.templates.size, policies: m.policies.size, secrets: m.secrets.size };
    if (format === 'json') {
      ctx.stdout.write(JSON.stringify({ valid: result.ok, fleet: m.fleet?.value.name ?? null, revision: m.revision ?? null, counts, diagnostics: shown }, null, 2) + '\n');
    } else if (format === 'github') {
      for (const d of shown) ctx.stdout.write(githubAnnotation(d) + '\n');
      ctx.stdout.write(summary(result.ok, shown, m.fleet?.value.name, counts) + '\n');
    } else {
      for (const d of shown) ctx.stdout.write(formatDiagnostic(d) + '\n');
      ctx.stdout.write(summary(result.ok, shown, m.fleet?.value.name, counts) + '\n');
    }
    return result.ok ? 0 : 1;
  },
};

function summary(ok: boolean, ds: Diagnostic[], name: string | undefined, c: Record<string, number>): string {
  if (ok) return `fleet ${name ?? '?'} is valid: ${c.hosts} hosts, ${c.baselines} baselines, ${c.sandboxTemplates} sandbox templates, ${c.policies} policies, ${c.secrets} secret files`;
  const files = new Set(ds.map((d) => d.file)).size;
  return `${ds.length} problem${ds.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
}

/** A GitHub Actions workflow command; data and properties escaped as the runner expects. */
export function githubAnnotation(d: Diagnostic): string {
  const prop = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
  const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const msg = d.hint ? `${d.message} — ${d.hint}` : d.message;
  return `::error file=${prop(d.file)},line=${d.line},col=${d.column},title=${prop(d.code)}::${data(msg)}`;
}
