import { probe, unsupported } from '../env.js';
import type { SandboxContext, DesiredSandbox } from '../types.js';
import { parseToolVersion, versionMatches } from '../version.js';

/** An interpreter to make venvs with: `file args... -m venv PATH`. */
export interface Interpreter {
  file: string;
  args: string[];
  version: string;
}

/** The interpreters to try, best first: `python3.X` then `python3` (Windows: `py -X.Y`, then `python`). Pure. */
export function pythonCandidates(wanted: string | undefined, platform: NodeJS.Platform): Array<{ file: string; args: string[] }> {
  const mm = wanted?.split('.').slice(0, 2).join('.');
  if (platform === 'win32') return [...(mm ? [{ file: 'py', args: [`-${mm}`] }] : []), { file: 'python', args: [] }];
  return [...(mm && mm.includes('.') ? [{ file: `python${mm}`, args: [] }] : []), { file: 'python3', args: [] }];
}

/** Picks the interpreter for `sb`; E_UNSUPPORTED naming what was found when none has the wanted major.minor. */
export async function pickInterpreter(sb: DesiredSandbox, ctx: SandboxContext, platform: NodeJS.Platform): Promise<Interpreter> {
  const candidates = pythonCandidates(sb.python, platform);
  const seen: string[] = [];
  for (const c of candidates) {
    const res = await probe(ctx, c.file, [...c.args, '--version']);
    if (!res || res.exitCode !== 0) continue; // not on PATH, or a shim for a version that is not installed
    // Python before 3.4 printed its version on stderr
    const version = parseToolVersion(res.stdout) ?? parseToolVersion(res.stderr);
    if (!version) continue;
    if (!sb.python || versionMatches(sb.python, version)) return { ...c, version };
    seen.push(`Python ${version} (${[c.file, ...c.args].join(' ')})`);
  }
  const names = candidates.map((c) => [c.file, ...c.args].join(' ')).join(', ');
  if (seen.length > 0) {
    throw unsupported(`template "${sb.template}" wants Python ${sb.python} for sandbox "${sb.name}" but this host has ${seen.join(', ')}; install Python ${sb.python}`);
  }
  throw unsupported(`python is not available on this host: none of ${names} answered --version`);
}
