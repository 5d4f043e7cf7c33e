import type { CliCommand } from './types.js';
import { parseFlags } from './args.js';
import { HOST_FLAGS, HOST_FLAGS_HELP, hostRunOptions } from './host-flags.js';
import { planHost } from '../apply/run.js';
import { renderPlan, useColour } from '../plan/render.js';

export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'show what apply would change on a host (nothing on the host changes)',
  help: `Usage: gitfleet plan --host NAME [--repo DIR|URL] [--rev REV] [--json] [--detailed-exitcode]

Validates the fleet, observes the host (sandboxes and installed packages, read directly from the
managers' databases) and prints the plan grouped by target: + install, ~ upgrade/downgrade with the
update type, - remove (only what gitfleet installed), and a summary line. Nothing on the host
changes; for a git repository, gitfleet's own clone in the state directory is fetched.

Flags:
${HOST_FLAGS_HELP}
  --json               the plan as JSON (stable; see docs/plan.md)
  --detailed-exitcode  exit 2 when there are changes, 0 when none, 1 on error

Example:
  gitfleet plan --host demo --repo fleet --state-dir .gitfleet-state`,
  async run(ctx) {
    const { values } = parseFlags(ctx.argv, { ...HOST_FLAGS, json: { type: 'boolean' }, 'detailed-exitcode': { type: 'boolean' } }, false);
    const o = hostRunOptions(ctx, values);
    const planned = await planHost(o);
    if (values.json) ctx.stdout.write(JSON.stringify(planned.plan, null, 2) + '\n');
    else ctx.stdout.write(renderPlan(planned.plan, { color: useColour(ctx.stdout, ctx.env) }));
    return values['detailed-exitcode'] && planned.plan.actions.length > 0 ? 2 : 0;
  },
};
