import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One argv the fake answers, and what it prints. */
export interface FakeAnswer {
  argv: string[];
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Answers the first call with this argv only; later calls go to the next answer for it (a state that changes, like a container that a run creates). */
  once?: boolean;
}

/** A fake CLI on disk: the folder to put on PATH and the argv of every call it got, in order. */
export interface FakeCli {
  dir: string;
  calls(): Promise<string[][]>;
}

/**
 * Writes an executable `name` into a new folder under `parent`: a real process that prints the recorded output for
 * exactly the argv it was given and fails loudly (exit 99, "unexpected argv" on stderr) on any other. Every call is
 * logged, so a test also checks that nothing unexpected was asked (a failure the code under test turns into data
 * would otherwise pass unseen). For tools that cannot run here (a docker engine, wsl.exe): the contract check.
 */
export async function fakeCli(parent: string, name: string, answers: FakeAnswer[]): Promise<FakeCli> {
  const dir = await mkdtemp(join(parent, 'fake-'));
  const log = join(dir, 'calls.ndjson');
  await writeFile(log, '');
  const script = `#!${process.execPath}
const fs = require('node:fs');
const answers = ${JSON.stringify(answers)};
const argv = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(argv) + '\\n');
const usedFile = ${JSON.stringify(`${log}.used`)};
const used = fs.existsSync(usedFile) ? JSON.parse(fs.readFileSync(usedFile, 'utf8')) : [];
const index = answers.findIndex((a, i) => !used.includes(i) && JSON.stringify(a.argv) === JSON.stringify(argv));
const hit = answers[index];
if (hit && hit.once) fs.writeFileSync(usedFile, JSON.stringify([...used, index]));
if (!hit) {
  process.stderr.write('fake ${name}: unexpected argv ' + JSON.stringify(argv) + '\\n');
  process.exit(99);
}
if (hit.stdout) process.stdout.write(hit.stdout);
if (hit.stderr) process.stderr.write(hit.stderr);
process.exitCode = hit.exitCode ?? 0;
`;
  // .cjs-free on purpose: an extensionless file outside any package.json is CommonJS to node
  await writeFile(join(dir, name), script);
  await chmod(join(dir, name), 0o755);
  return {
    dir,
    async calls() {
      return (await readFile(log, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
    },
  };
}
