// Runs one apply and kills itself with SIGKILL right after batch N is recorded as done: a real crash
// mid-apply, for the recovery test. Arguments: a JSON object of HostRunOptions fields, then N.
import { pino } from 'pino';
import { applyHost } from '../../dist/apply/run.js';
import { execRunner } from '../../dist/util/exec.js';

const opts = JSON.parse(process.argv[2]);
const crashAfter = Number(process.argv[3]);
await applyHost({
  ...opts,
  runner: execRunner,
  log: pino({ level: 'silent' }),
  afterBatch: (b) => {
    if (b.index + 1 === crashAfter) process.kill(process.pid, 'SIGKILL');
  },
});
console.log('finished without crashing');
