import type { CliCommand } from './types.js';
// One import and one entry per command file.

/** Every CLI verb, in the order help lists them. */
export const commands: CliCommand[] = [
];
