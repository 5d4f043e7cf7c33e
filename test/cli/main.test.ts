// The entry point's help handling: usage errors on stderr, subcommand help that shows the subcommand's own flags.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const run = (argv: string[]) => runCli(argv, { env: { GITFLEET_LOG_LEVEL: 'silent' } });

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
