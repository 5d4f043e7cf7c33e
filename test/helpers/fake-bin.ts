// Fake package-manager executables on a PATH of their own, for adapters whose manager cannot run here.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One call a fake executable answers: exact arguments, then what it prints and how it exits. */
export interface FakeCall { args: string[]; stdout?: string; stderr?: string; exit?: number; sleepMs?: number }

/** A fake executable (a Node script) that answers only the calls it is given and fails loudly on any other. */
export async function fakeBin(dir: string, name: string, calls: FakeCall[]): Promise<void> {
  const src = `#!${process.execPath}
const calls = ${JSON.stringify(calls)};
const args = process.argv.slice(2);
const call = calls.find((c) => JSON.stringify(c.args) === JSON.stringify(args));
if (!call) { process.stderr.write('fake ${name}: unexpected arguments ' + JSON.stringify(args) + '\\n'); process.exit(99); }
setTimeout(() => { process.stdout.write(call.stdout ?? ''); process.stderr.write(call.stderr ?? ''); process.exit(call.exit ?? 0); }, call.sleepMs ?? 0);
`;
  await writeFile(join(dir, name), src);
  await chmod(join(dir, name), 0o755);
}
