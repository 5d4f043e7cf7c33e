import type { Manager, Os } from './model.generated.js';

/** On which OS families each package manager exists. */
export const MANAGER_OS: Record<Manager, readonly Os[]> = {
  pip: ['linux', 'windows', 'macos'],
  npm: ['linux', 'windows', 'macos'],
  conda: ['linux', 'windows', 'macos'],
  gem: ['linux', 'windows', 'macos'],
  apt: ['linux'],
  dnf: ['linux'],
  brew: ['macos', 'linux'],
  choco: ['windows'],
  winget: ['windows'],
};

/** Which managers can fill each sandbox type. */
export const SANDBOX_MANAGERS: Record<'venv' | 'conda' | 'docker' | 'wsl' | 'node', readonly Manager[]> = {
  venv: ['pip'],
  node: ['npm'],
  conda: ['conda', 'pip'],
  docker: ['pip', 'npm', 'apt', 'dnf', 'conda', 'gem'],
  wsl: ['apt', 'dnf', 'pip', 'npm', 'conda', 'gem', 'brew'],
};

/** Sandbox roots allowed when `fleet.yaml` names none. */
export const DEFAULT_SANDBOX_ROOTS: Record<Os, readonly string[]> = {
  linux: ['/opt/gitfleet', '/var/lib/gitfleet'],
  macos: ['/usr/local/gitfleet', '/opt/gitfleet'],
  windows: ['C:\\gitfleet', 'C:\\ProgramData\\gitfleet'],
};

/** Every manager id, in a stable order. */
export const MANAGERS: readonly Manager[] = ['pip', 'npm', 'apt', 'dnf', 'brew', 'choco', 'winget', 'conda', 'gem'];

/** Parses `30s`, `1h30m`, `250ms`, `3d` into milliseconds. */
export function parseDuration(s: string): number {
  let ms = 0;
  for (const m of s.matchAll(/(\d+)(ms|s|m|h|d)/g)) {
    const n = Number(m[1]);
    ms += n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const)[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  }
  return ms;
}

/** Parses `8Gi`, `512M`, `1024` into bytes. */
export function parseQuantity(s: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(s);
  if (!m) return NaN;
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, K: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}
