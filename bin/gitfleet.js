#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// `gitfleet status | head`: a reader that stops early is not an error.
for (const s of [process.stdout, process.stderr]) s.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });

const code = await main(process.argv.slice(2));
// Exit once output is flushed: a probe abandoned at its timeout (a hung child process) must not keep a finished command alive.
const drain = (s) => new Promise((resolve) => (s.writableLength === 0 ? resolve() : s.once('drain', resolve)));
await Promise.all([drain(process.stdout), drain(process.stderr)]);
process.exit(code);
