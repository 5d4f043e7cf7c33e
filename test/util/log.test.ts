import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { formatLine, logFormat, makeLogger } from '../../src/util/log.js';
import { CommandError, execRunner, runChecked, type CommandResult } from '../../src/util/exec.js';
import { GitfleetError } from '../../src/util/errors.js';

/** A stream that keeps what is written, optionally claiming to be a terminal. */
function sink(isTTY?: boolean): Writable & { isTTY?: boolean; text(): string } {
  const chunks: string[] = [];
  const s = new Writable({ write(chunk, _enc, cb) { chunks.push(String(chunk)); cb(); } }) as Writable & { isTTY?: boolean; text(): string };
  if (isTTY !== undefined) s.isTTY = isTTY;
  s.text = () => chunks.join('');
  return s;
}

// Local time, so the expected clock does not depend on the machine's time zone.
const T = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();

describe('logFormat: JSON lines unless a person is watching, or the environment says', () => {
  it.each([
    [{}, true, 'text'],
    [{}, false, 'json'],
    [{ GITFLEET_LOG_FORMAT: 'json' }, true, 'json'],
    [{ GITFLEET_LOG_FORMAT: 'text' }, false, 'text'],
    [{ GITFLEET_LOG_FORMAT: ' TEXT ' }, false, 'text'],
    [{ GITFLEET_LOG_FORMAT: 'auto' }, true, 'text'],
    [{ GITFLEET_LOG_FORMAT: '' }, false, 'json'],
  ] as const)('env %j, tty %s → %s', (env, tty, want) => {
    expect(logFormat(env, tty)).toEqual({ format: want });
  });

  it('an unknown value falls back to the automatic choice and is reported', () => {
    expect(logFormat({ GITFLEET_LOG_FORMAT: 'pretty' }, true)).toEqual({ format: 'text', invalid: 'pretty' });
  });
});

describe('formatLine', () => {
  it.each([
    ['level, message and fields', { level: 30, time: T, msg: 'applied', host: 'h1', actions: 3, ok: true }, '03:04:05.006 INFO  applied host=h1 actions=3 ok=true'],
    ['strings with spaces or quotes are quoted', { level: 40, time: T, msg: 'slow', reason: 'took 5 s', q: 'a"b', empty: '' }, '03:04:05.006 WARN  slow reason="took 5 s" q="a\\"b" empty=""'],
    ['objects as JSON, undefined left out', { level: 20, time: T, msg: 'm', changes: [{ name: 'alpha' }], gone: undefined }, '03:04:05.006 DEBUG m changes=[{"name":"alpha"}]'],
    ['an error shows its message', { level: 50, time: T, msg: 'failed', err: { type: 'Error', message: 'pip exited 1', stack: 'Error: pip exited 1\n    at x' } }, '03:04:05.006 ERROR failed err="pip exited 1"'],
    ['newlines and terminal controls are escaped', { level: 30, time: T, msg: 'a\nb\u001b[2J', out: 'x\u001b[31my\u009b' }, '03:04:05.006 INFO  a\\u000ab\\u001b[2J out="x\\u001b[31my\\u009b"'],
  ])('%s', (_name, entry, want) => {
    expect(formatLine(entry)).toBe(want);
  });

  it('colours the level only when asked', () => {
    expect(formatLine({ level: 50, time: T, msg: 'x' }, { color: true })).toBe('03:04:05.006 \u001b[31mERROR\u001b[39m x');
  });
});

describe('makeLogger', () => {
  it('writes text lines on a terminal, with secrets redacted and child bindings shown', () => {
    const out = sink(true);
    const log = makeLogger({ stream: out, env: { NO_COLOR: '1' }, level: 'info' }).child({ host: 'h1' });
    log.info({ token: 'ghp_s3cret', nested: { password: 'hunter2' }, n: 2 }, 'pushed status');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}pushed status host=h1 token=\[redacted\] nested=\{"password":"\[redacted\]"\} n=2$/);
    expect(out.text()).not.toMatch(/s3cret|hunter2/);
  });

  it('writes JSON lines when not a terminal, with secrets redacted', () => {
    const out = sink(false);
    makeLogger({ stream: out, env: {}, level: 'info' }).info({ secret: 'shh', n: 1 }, 'hello');
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, msg: 'hello', secret: '[redacted]', n: 1 });
  });

  it.each([
    ['env forces JSON on a terminal', { GITFLEET_LOG_FORMAT: 'json' }, true, undefined, 'json'],
    ['env forces text into a pipe', { GITFLEET_LOG_FORMAT: 'text' }, false, undefined, 'text'],
    ['an injected isTTY wins over the stream', {}, false, true, 'text'],
  ] as const)('%s', (_name, env, streamTTY, isTTY, want) => {
    const out = sink(streamTTY);
    makeLogger({ stream: out, env, level: 'info', ...(isTTY === undefined ? {} : { isTTY }) }).info({ value: 'v1' }, 'hi');
    const text = out.text();
    expect(text.startsWith('{')).toBe(want === 'json');
    expect(text).not.toContain('v1');
    expect(text).toContain('[redacted]');
  });

  it('says so when GITFLEET_LOG_FORMAT is not understood', () => {
    const out = sink(false);
    makeLogger({ stream: out, env: { GITFLEET_LOG_FORMAT: 'pretty' } });
    expect(JSON.parse(out.text())).toMatchObject({ level: 40, GITFLEET_LOG_FORMAT: 'pretty', using: 'json' });
  });
});

describe('a CommandError in a log line never carries its command environment', () => {
  const TOKEN = 'tok-3c7f9e2a5b';
  const failing = async (): Promise<CommandError> => {
    const err = await runChecked(execRunner, {
      file: process.execPath, args: ['-e', 'process.exit(3)'], cleanEnv: true, input: `password=${TOKEN}\n`,
      env: { PIP_INDEX_URL: `https://ci:${TOKEN}@pypi.example.test/simple`, NPM_CONFIG__AUTHTOKEN: TOKEN },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    return err as CommandError;
  };

  it.each([
    ['under err', (e: CommandError) => ({ err: e })],
    ['under another key', (e: CommandError) => ({ failure: e })],
    ['nested in an object', (e: CommandError) => ({ outcome: { last: e } })],
    ['as the cause of the logged error', (e: CommandError) => ({ err: new GitfleetError('E_INTERNAL', 'the batch failed', { cause: e }) })],
    ['as an error-valued field of the logged error', (e: CommandError) => ({ err: Object.assign(new Error('wrapped'), { inner: e }) })],
  ])('%s, JSON and text', async (_name, fields) => {
    const err = await failing();
    for (const format of ['json', 'text'] as const) {
      const out = sink(false);
      makeLogger({ stream: out, env: {}, level: 'info', format }).error(fields(err), 'apply failed');
      expect(out.text()).toContain('apply failed');
      expect(out.text()).not.toContain(TOKEN);
    }
    // What a person needs is still there: the command that ran and how it ended.
    const json = sink(false);
    makeLogger({ stream: json, env: {}, level: 'info', format: 'json' }).error({ err }, 'apply failed');
    expect(JSON.parse(json.text()).err).toMatchObject({ type: 'CommandError', code: 'E_COMMAND_FAILED', exitCode: 3, command: { file: process.execPath, args: ['-e', 'process.exit(3)'], cleanEnv: true } });
  });
});

describe('a successful command\'s result in a log line never carries its command environment', () => {
  const TOKEN = 'tok-8b2d6f01e4';
  const succeeding = (): Promise<CommandResult> => execRunner.run({
    file: process.execPath, args: ['-e', 'process.stdout.write("ok")'], cleanEnv: true, input: `password=${TOKEN}\n`,
    env: { PIP_INDEX_URL: `https://ci:${TOKEN}@pypi.example.test/simple`, NPM_CONFIG__AUTHTOKEN: TOKEN },
  });

  it.each([
    ['the result as a field', (r: CommandResult) => ({ result: r })],
    ['its command as a field', (r: CommandResult) => ({ command: r.command })],
    ['nested in an object', (r: CommandResult) => ({ batch: { results: [r] } })],
  ])('%s, JSON and text', async (_name, fields) => {
    const res = await succeeding();
    expect(res.exitCode).toBe(0);
    expect(res.command.env?.NPM_CONFIG__AUTHTOKEN).toBe(TOKEN);
    for (const format of ['json', 'text'] as const) {
      const out = sink(false);
      makeLogger({ stream: out, env: {}, level: 'info', format }).info(fields(res), 'batch done');
      expect(out.text()).toContain('batch done');
      expect(out.text()).not.toContain(TOKEN);
    }
    const json = sink(false);
    makeLogger({ stream: json, env: {}, level: 'info', format: 'json' }).info({ result: res }, 'batch done');
    expect(JSON.parse(json.text()).result).toMatchObject({ exitCode: 0, stdout: 'ok', command: { file: process.execPath, cleanEnv: true } });
  });
});
