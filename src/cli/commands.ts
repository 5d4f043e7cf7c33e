import type { CliCommand } from './types.js';
import { validateCommand } from './validate.js';
import { resolveCommand } from './resolve.js';
import { planCommand } from './plan.js';
import { applyCommand } from './apply.js';
import { factsCommand } from './facts.js';
import { inventoryCommand } from './inventory.js';
import { auditCommand } from './audit.js';
import { proposeCommand } from './propose.js';
import { statusCommand } from './status.js';
import { serviceCommand } from './service.js';
import { agentCommand } from './agent.js';
import { hostCommand } from './host.js';
import { secretCommand } from './secret.js';
// One import and one entry per command file.

/** Every CLI verb, in the order help lists them. */
export const commands: CliCommand[] = [
  validateCommand,
  resolveCommand,
  planCommand,
  applyCommand,
  factsCommand,
  inventoryCommand,
  auditCommand,
  proposeCommand,
  statusCommand,
  serviceCommand,
  agentCommand,
  hostCommand,
  secretCommand,
];
