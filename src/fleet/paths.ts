import type { Os } from './model.generated.js';

/** Expands `{name}` and `{state}` in a sandbox path. `{state}` stays as is when no state directory is known. */
export function expandPath(path: string, vars: { name: string; state?: string }): string {
  let out = path.replaceAll('{name}', vars.name);
  if (vars.state !== undefined) out = out.replaceAll('{state}', vars.state.replace(/[\\/]+$/, ''));
  return out;
}

/** Why a sandbox path is not acceptable for an OS, or undefined when it is: absolute (or under `{state}`), no `..`, inside a root. */
export function pathProblem(path: string, os: Os, roots: readonly string[]): string | undefined {
  if (path.startsWith('{state}')) {
    const rest = path.slice('{state}'.length);
    if (rest && !/^[\\/]/.test(rest)) return 'after `{state}` the path must continue with a separator';
    return hasDotDot(rest) ? 'it must not contain `..` segments' : undefined;
  }
  const windows = os === 'windows';
  const absolute = windows ? /^[A-Za-z]:\\/.test(path) : path.startsWith('/');
  if (!absolute) return windows ? 'it must be absolute, like C:\\gitfleet\\sandboxes\\{name}' : 'it must be absolute, like /opt/gitfleet/sandboxes/{name}';
  if (hasDotDot(path)) return 'it must not contain `..` segments';
  if (/[{}]/.test(path.replaceAll('{name}', ''))) return 'only the placeholders {name} and {state} are known';
  const norm = (p: string) => (windows ? p.toLowerCase().replace(/\//g, '\\').replace(/\\+$/, '') : p.replace(/\/+$/, ''));
  const sep = windows ? '\\' : '/';
  const p = norm(path);
  if (!roots.some((r) => p.startsWith(norm(r) + sep))) return `it must be inside one of: ${roots.join(', ')} (or {state})`;
  return undefined;
}

function hasDotDot(p: string): boolean {
  return p.split(/[\\/]/).some((s) => s === '..');
}
