#!/usr/bin/env node
// `npm start`: the quick start against the bundled example fleet, changing nothing outside .gitfleet-state/.
// Until the reconcile loop lands, it validates fleet/ and prints the demo host's effective desired state.
import { main } from '../dist/cli/main.js';

const state = new URL('../.gitfleet-state', import.meta.url).pathname;
const fleet = new URL('../fleet', import.meta.url).pathname;

console.log(`$ gitfleet validate fleet`);
let code = await main(['validate', fleet]);
if (code === 0) {
  console.log(`\n$ gitfleet resolve --host demo fleet --state-dir .gitfleet-state`);
  code = await main(['resolve', '--host', 'demo', fleet, '--state-dir', state]);
}
process.exitCode = code;
