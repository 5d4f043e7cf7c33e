import { parseFlags } from './args.js';
import type { CliCommand } from './types.js';
import { GitfleetError } from '../util/errors.js';
import { stateDir, statePaths } from '../util/state-dir.js';
import { verifyAudit } from '../events/audit.js';

const HELP = `Usage: gitfleet audit verify [--state-dir DIR] [--file PATH] [--json]

Checks this host's hash-chained audit log: every line parses, every hash
matches its line, seq numbers run 1, 2, 3, ... and each line links to the one
before. Names the first line that was edited, removed, reordered, malformed or
truncated. Lines cut off at the very end on a line boundary cannot be seen from
the file alone: compare the printed chain head with one recorded elsewhere.

Flags:
  --state-dir DIR  state directory (default: $GITFLEET_STATE_DIR, else
                   /var/lib/gitfleet; the log is DIR/audit.jsonl)
  --file PATH      check this file instead of the state directory's log
  --json           print the result as JSON
  -h, --help       show this help

Exit codes: 0 the chain is intact, 1 a problem was found or the log is missing.

Examples:
  gitfleet audit verify
  gitfleet audit verify --file ./audit.jsonl --json
`;

/** `gitfleet audit verify`: checks the audit log's hash chain. */
export const auditCommand: CliCommand = {
  name: 'audit',
  summary: "verify this host's hash-chained audit log",
  help: HELP,
  async run(ctx) {
    const { values, positionals } = parseFlags(ctx.argv, {
      'state-dir': { type: 'string' },
      file: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [sub, ...extra] = positionals;
    if (sub !== 'verify' || extra.length > 0) {
      throw new GitfleetError('E_USAGE', sub === undefined ? 'missing subcommand: verify' : `unknown subcommand "${[sub, ...extra].join(' ')}"`);
    }
    const file = values.file ?? statePaths(stateDir(values['state-dir'], ctx.env)).audit;
    const result = await verifyAudit(file);
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify({ file, ...result }, null, 2)}\n`);
    } else if (result.ok) {
      ctx.stdout.write(`audit log OK: ${result.entries} entries, chain head ${result.head.slice(0, 12)}\n`);
    } else {
      ctx.stdout.write(`audit log BROKEN at ${file}:${result.line}: ${result.problem}: ${result.message}\n`);
    }
    return result.ok ? 0 : 1;
  },
};
