import { describe, expect, it } from 'vitest';
import { mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { CommandError, describe as describeCommand, execRunner, runChecked, type Command } from '../../src/util/exec.js';
import { GitfleetError } from '../../src/util/errors.js';

const node = process.execPath;
const js = (code: string, extra: Partial<Command> = {}): Command => ({ file: node, args: ['-e', code], ...extra });

describe('execRunner', () => {
  it.each([
    ['stdout, final newline kept', js('process.stdout.write("hi\\n")'), { exitCode: 0, stdout: 'hi\n', stderr: '' }],
    ['exit code and stderr', js('process.stderr.write("bad"); process.exit(3)'), { exitCode: 3, stdout: '', stderr: 'bad' }],
    ['input on stdin', js('let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => process.stdout.write(s.toUpperCase()))', { input: 'abc' }), { exitCode: 0, stdout: 'ABC' }],
    ['no input: stdin is closed', js('process.stdin.on("data", () => {}).on("end", () => process.stdout.write("eof"))'), { exitCode: 0, stdout: 'eof' }],
    ['utf-8 output', js('process.stdout.write("größe ✓")'), { exitCode: 0, stdout: 'größe ✓' }],
  ])('%s', async (_name, cmd, want) => {
    expect(await execRunner.run(cmd)).toMatchObject(want);
  });

  it('extends the environment with env, and cleanEnv keeps only PATH and env', async () => {
    process.env.GITFLEET_EXEC_TEST = 'inherited';
    try {
      const show = 'process.stdout.write(JSON.stringify([process.env.GITFLEET_EXEC_TEST ?? null, process.env.EXTRA ?? null, Boolean(process.env.PATH)]))';
      expect(JSON.parse((await execRunner.run(js(show, { env: { EXTRA: 'x' } }))).stdout)).toEqual(['inherited', 'x', true]);
      expect(JSON.parse((await execRunner.run(js(show, { env: { EXTRA: 'y' }, cleanEnv: true }))).stdout)).toEqual([null, 'y', true]);
    } finally {
      delete process.env.GITFLEET_EXEC_TEST;
    }
  });

  it('runs in cwd', async () => {
    const dir = await realpath(await mkdtemp(join(tmpdir(), 'gitfleet-exec-')));
    expect((await execRunner.run(js('process.stdout.write(process.cwd())', { cwd: dir }))).stdout).toBe(dir);
  });

  it('a missing command is E_COMMAND_NOT_FOUND', async () => {
    const err = await execRunner.run({ file: 'gitfleet-no-such-command', args: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).code).toBe('E_COMMAND_NOT_FOUND');
  });

  it('a timeout kills the command, even when a grandchild holds its output open', async () => {
    const t0 = Date.now();
    const cmd = js('require("child_process").spawn(process.execPath, ["-e", "setTimeout(() => {}, 8000)"], { stdio: "inherit" }); setTimeout(() => {}, 8000)', { timeoutMs: 300 });
    const err = await execRunner.run(cmd).catch((e: unknown) => e);
    expect((err as CommandError).code).toBe('E_COMMAND_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('refuses NUL in an argument before running anything', async () => {
    const err = await execRunner.run({ file: node, args: ['-e', 'a\0b'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitfleetError);
    expect((err as GitfleetError).code).toBe('E_INTERNAL');
  });
});

describe('runChecked', () => {
  it('throws E_COMMAND_FAILED with the exit code and the stderr tail', async () => {
    const err = await runChecked(execRunner, js('process.stderr.write("it broke"); process.exit(2)')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ code: 'E_COMMAND_FAILED', exitCode: 2, stderrTail: 'it broke' });
    expect((err as Error).message).toContain('exited with 2: it broke');
  });
});

describe('describe', () => {
  it('leaves out credentials: URL user-info and npm auth config given as K=V (docker exec -e, env)', () => {
    const cmd: Command = { file: 'docker', args: ['exec', '-e', 'PIP_INDEX_URL=https://__token__:s3cr3t@idx/simple/', '-e', 'npm_config_//r.example/:_authToken=s3cr3t two', 'c', 'pip', '--index-url', 'https://u:s3cr3t@idx/'] };
    expect(describeCommand(cmd)).toBe('docker exec -e PIP_INDEX_URL=https://idx/simple/ -e "npm_config_//r.example/:_authToken=[redacted]" c pip --index-url https://idx/');
  });
});

describe('CommandError keeps the environment and input out of sight', () => {
  it('readable, but not in JSON, util.inspect or a spread; the caller\'s command is left as it was', async () => {
    const cmd = js('process.exit(3)', { env: { PIP_INDEX_URL: 'https://ci:tok-81d0@idx.test/simple' }, input: 'tok-81d0' });
    const err = await runChecked(execRunner, cmd).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    const ce = err as CommandError;
    expect(ce.command.env).toEqual({ PIP_INDEX_URL: 'https://ci:tok-81d0@idx.test/simple' });
    expect(ce.command.input).toBe('tok-81d0');
    expect(ce.command.args).toEqual(['-e', 'process.exit(3)']);
    for (const shown of [JSON.stringify(ce), JSON.stringify(ce.command), inspect(ce, { depth: 10 }), JSON.stringify({ ...ce.command })]) {
      expect(shown).not.toContain('tok-81d0');
    }
    expect(Object.keys(cmd)).toEqual(['file', 'args', 'env', 'input']);
    expect(JSON.stringify(cmd)).toContain('tok-81d0');
  });

  it('a command without env or input has neither key', () => {
    const e = new CommandError('E_COMMAND_FAILED', 'x', { command: { file: 'f', args: ['a'] }, durationMs: 1 });
    expect(e.command).toEqual({ file: 'f', args: ['a'] });
    expect('env' in e.command).toBe(false);
  });
});

describe('a result keeps the environment and input out of sight too', () => {
  const TOKEN = 'tok-5e19a0c4';
  const env = { PIP_INDEX_URL: `https://ci:${TOKEN}@idx.test/simple`, 'npm_config_//r.example/:_authToken': TOKEN };

  it.each([
    ['exit 0', 'process.stdout.write(process.env.PIP_INDEX_URL ? "seen" : "unset")', 0],
    ['a non-zero exit that is returned, not thrown', 'process.exit(4)', 4],
  ])('%s: readable, but not in JSON, util.inspect or a spread; the caller\'s command is left as it was', async (_n, code, exitCode) => {
    const cmd = js(code, { env, input: `password=${TOKEN}` });
    const res = await execRunner.run(cmd);
    expect(res.exitCode).toBe(exitCode);
    if (exitCode === 0) expect(res.stdout).toBe('seen'); // the env still reached the process
    expect(res.command.env).toEqual(env);
    expect(res.command.input).toBe(`password=${TOKEN}`);
    expect(res.command).toMatchObject({ file: node, args: ['-e', code] });
    for (const shown of [JSON.stringify(res), JSON.stringify(res.command), inspect(res, { depth: 10 }), JSON.stringify({ ...res.command })]) {
      expect(shown).not.toContain(TOKEN);
    }
    expect(JSON.stringify(cmd)).toContain(TOKEN);
    expect(Object.keys(cmd)).toEqual(['file', 'args', 'env', 'input']);
  });

  it('a command without env or input has neither key in its result', async () => {
    const res = await execRunner.run(js('0'));
    expect(Object.keys(res.command)).toEqual(['file', 'args']);
    expect('env' in res.command).toBe(false);
  });
});
