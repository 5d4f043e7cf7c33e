import type { Action, Plan } from './types.js';

const REASON: Record<Action['reason'], string> = {
  missing: 'missing', drifted: 'drifted', changed: 'desired changed', 'removed-from-desired': 'removed from desired',
  'desired-absent': 'desired absent', 'new-sandbox': 'new sandbox',
};

const SYMBOL: Record<Action['kind'], string> = { 'create-sandbox': '+', install: '+', upgrade: '~', downgrade: '~', remove: '-' };

interface Style { color: boolean }

/** A terraform-like rendering, grouped by target, with a summary line. Colour only when asked. */
export function renderPlan(p: Plan, style: Style = { color: false }): string {
  const c = colours(style.color);
  const out: string[] = [`gitfleet plan for host ${p.host}${p.revision ? ` at ${p.revision.slice(0, 12)}` : ''}`, ''];
  let current = '';
  for (const a of p.actions) {
    if (a.target !== current) {
      current = a.target;
      out.push(c.bold(`target ${a.target}`));
    }
    out.push(`  ${paint(c, a, `${SYMBOL[a.kind]} ${line(a)}`)}  ${c.dim(`(${why(a)})`)}`);
  }
  if (p.actions.length) out.push('');
  for (const w of p.warnings) out.push(c.yellow(`! ${w.target}${w.manager ? ` ${w.manager}` : ''}: ${w.message}`));
  if (p.warnings.length) out.push('');
  out.push(summary(p));
  return out.join('\n') + '\n';
}

/** `Plan: 1 sandbox to create, 2 to install, ...` or `No changes.` */
export function summary(p: Plan): string {
  const n = (k: Action['kind']) => p.actions.filter((a) => a.kind === k).length;
  if (p.actions.length === 0) return `No changes. ${p.unchanged} package${p.unchanged === 1 ? '' : 's'} as desired.${p.warnings.length ? ` ${p.warnings.length} warning(s).` : ''}`;
  const sandboxes = n('create-sandbox');
  return `Plan: ${sandboxes} ${sandboxes === 1 ? 'sandbox' : 'sandboxes'} to create, ${n('install')} to install, ${n('upgrade')} to upgrade, ${n('downgrade')} to downgrade, ${n('remove')} to remove; ${p.unchanged} unchanged.`;
}

function why(a: Action): string {
  return a.lastSeen === undefined ? REASON[a.reason] : `${REASON[a.reason]}: removed, last seen ${a.lastSeen}`;
}

function line(a: Action): string {
  switch (a.kind) {
    case 'create-sandbox': return `create sandbox ${a.name} (${a.to})`;
    case 'install': return `install ${a.manager} ${a.name} ${a.to}`;
    case 'upgrade': case 'downgrade': return `${a.kind} ${a.manager} ${a.name} ${a.from} → ${a.to} (${a.risk})`;
    case 'remove': return `remove ${a.manager} ${a.name} ${a.from ?? ''}`.trimEnd();
  }
}

function paint(c: ReturnType<typeof colours>, a: Action, s: string): string {
  return a.kind === 'remove' ? c.red(s) : a.kind === 'install' || a.kind === 'create-sandbox' ? c.green(s) : c.yellow(s);
}

function colours(on: boolean) {
  const wrap = (code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { red: wrap('31'), green: wrap('32'), yellow: wrap('33'), bold: wrap('1'), dim: wrap('2') };
}

/** Whether to colour output: a TTY, and NO_COLOR unset (https://no-color.org). */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
}
