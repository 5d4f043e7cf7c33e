import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GitfleetError } from '../util/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses flags strictly; an unknown flag is a usage error that names it. */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals, strict: true });
  } catch (err) {
    throw new GitfleetError('E_USAGE', (err as Error).message, { cause: err });
  }
}
