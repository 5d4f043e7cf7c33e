import { join, resolve } from 'node:path';

/** The state directory: `--state-dir`, else `GITFLEET_STATE_DIR`, else the platform's default (DESIGN.md §9). */
export function stateDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (flag) return resolve(flag);
  if (env.GITFLEET_STATE_DIR) return resolve(env.GITFLEET_STATE_DIR);
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'gitfleet');
  if (platform === 'darwin') return '/Library/Application Support/gitfleet';
  return '/var/lib/gitfleet';
}

/** Well-known files inside a state directory. */
export function statePaths(dir: string) {
  return {
    dir,
    checkout: join(dir, 'checkout'),
    inventory: join(dir, 'inventory.json'),
    journal: join(dir, 'journal.json'),
    lock: join(dir, 'apply.lock'),
    audit: join(dir, 'audit.jsonl'),
    events: join(dir, 'events.ndjson'),
    status: join(dir, 'status.json'),
    applied: join(dir, 'applied.json'),
    badRevisions: join(dir, 'bad-revisions.json'),
    identity: join(dir, 'identity.age'),
    secrets: join(dir, 'secrets'),
    sandboxes: join(dir, 'sandboxes'),
  };
}
