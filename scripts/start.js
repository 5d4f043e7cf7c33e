#!/usr/bin/env node
// `npm start`: the quick start. Keeps a local bare copy of the bundled example fleet (fleet/) in
// .gitfleet-state/fleet.git (recommitted when fleet/ changed), runs one cycle of the agent for the
// `demo` host against it, then prints the fleet's status. Nothing outside .gitfleet-state/ changes;
// a second run reports no changes.
import { mkdir, readFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../dist/cli/main.js';
import { commands } from '../dist/cli/commands.js';
import { execRunner, runChecked } from '../dist/util/exec.js';

const root = new URL('..', import.meta.url).pathname;
const state = join(root, '.gitfleet-state');
const fleet = join(root, 'fleet');
const bare = join(state, 'fleet.git');

// A fixed identity and date: the same fleet/ content always gives the same commit.
const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C',
  GIT_AUTHOR_NAME: 'gitfleet quick start', GIT_AUTHOR_EMAIL: 'quickstart@gitfleet.invalid', GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'gitfleet quick start', GIT_COMMITTER_EMAIL: 'quickstart@gitfleet.invalid', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  // The index lives in the bare repository, so fleet/ itself is only read.
  GIT_DIR: bare, GIT_WORK_TREE: fleet, GIT_INDEX_FILE: join(bare, 'quickstart.index'),
};
const git = async (...args) => (await runChecked(execRunner, { file: 'git', args: ['-c', 'core.hooksPath=/dev/null', ...args], env: GIT_ENV })).stdout.trim();

/** Creates the bare repository if needed and commits fleet/ on `main` when its content differs from the head. */
async function syncFleet() {
  await mkdir(state, { recursive: true, mode: 0o700 });
  try {
    await access(join(bare, 'HEAD'));
  } catch {
    await runChecked(execRunner, { file: 'git', args: ['init', '-q', '--bare', '-b', 'main', bare], env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
  }
  await git('add', '-A', '.');
  const tree = await git('write-tree');
  let head = '';
  try {
    head = await git('rev-parse', '--verify', '-q', 'refs/heads/main');
  } catch {
    head = '';
  }
  if (head && (await git('rev-parse', `${head}^{tree}`)) === tree) return { head, changed: false };
  const commit = await git('commit-tree', tree, ...(head ? ['-p', head] : []), '-m', head ? 'fleet/ changed' : 'the example fleet');
  await git('update-ref', 'refs/heads/main', commit, ...(head ? [head] : []));
  return { head: commit, changed: true };
}

const step = async (title, argv) => {
  console.log(`\n$ gitfleet ${title}`);
  return main(argv);
};

const synced = await syncFleet();
console.log(`fleet/ → .gitfleet-state/fleet.git at ${synced.head.slice(0, 12)}${synced.changed ? ' (committed)' : ' (unchanged)'}`);
// What the cycle is about to do, terraform-like (planning changes nothing).
await step('plan --host demo --repo .gitfleet-state/fleet.git --state-dir .gitfleet-state',
  ['plan', '--host', 'demo', '--repo', bare, '--state-dir', state]);
let code = await step('agent --once --repo .gitfleet-state/fleet.git --host demo --state-dir .gitfleet-state --no-http',
  ['agent', '--once', '--repo', bare, '--host', 'demo', '--state-dir', state, '--no-http']);
if (commands.some((c) => c.name === 'status')) {
  const shown = await step('status --repo .gitfleet-state/fleet.git', ['status', '--repo', bare]);
  if (code === 0) code = shown;
} else {
  console.log('\n$ cat .gitfleet-state/status.json');
  console.log((await readFile(join(state, 'status.json'), 'utf8')).trimEnd());
}
process.exitCode = code;
