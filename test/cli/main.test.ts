// The entry point's help handling: usage errors on stderr, subcommand help that shows the subcommand's own flags.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = ''; let err = '';
  stdout.on('data', (c: Buffer) => { out += c.toString(); });
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const code = await main(argv, { stdout, stderr, env: { GITFLEET_LOG_LEVEL: 'silent' } });
  return { code, out, err };
}

describe('main', () => {
  it('with no command prints the usage on stderr and exits 1; --help prints it on stdout and exits 0', async () => {
    const none = await run([]);
    expect(none).toMatchObject({ code: 1, out: '' });
    expect(none.err).toContain('Usage: gitfleet <command>');
    const help = await run(['--help']);
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toContain('Usage: gitfleet <command>');
  });

  it.each([
    [['host', 'register', '--help'], ['--labels', '--wave', '--sandboxes']],
    [['host', 'keygen', '--help'], ['--force', '--state-dir']],
    [['host', '--help'], ['keygen', 'register']],
  ])('%j documents its flags', async (argv, flags) => {
    const r = await run(argv);
    expect(r.code).toBe(0);
    for (const f of flags) expect(r.out).toContain(f);
    expect(r.out).toMatch(/Example/);
  });
});
