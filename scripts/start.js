#!/usr/bin/env node
// `npm start`: the quick start. Applies the `demo` host of the bundled example fleet (fleet/) to this
// machine with the state directory .gitfleet-state/ in this checkout; nothing outside it changes.
// A second run reports no changes.
import { main } from '../dist/cli/main.js';

const root = new URL('..', import.meta.url).pathname;
const state = `${root}.gitfleet-state`;
const fleet = `${root}fleet`;

const step = async (title, argv) => {
  console.log(`\n$ gitfleet ${title}`);
  return main(argv);
};

let code = await step('validate fleet', ['validate', fleet]);
if (code === 0) code = await step('apply --host demo --repo fleet --state-dir .gitfleet-state --yes', ['apply', '--host', 'demo', '--repo', fleet, '--state-dir', state, '--yes']);
if (code === 0) code = await step('audit verify --state-dir .gitfleet-state', ['audit', 'verify', '--state-dir', state]);
process.exitCode = code;
