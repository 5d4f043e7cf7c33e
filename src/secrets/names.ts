// Names and keys are checked here before they become file paths, branch names or env-file lines.
import { GitfleetError } from '../util/errors.js';

const NAME = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** Throws E_USAGE unless `name` is a valid host name (schema `Name`). */
export function checkHostName(name: string): string {
  if (!NAME.test(name) || name.includes('..')) throw new GitfleetError('E_USAGE', `"${name}" is not a valid host name (lower-case letters, digits, ".", "_", "-")`);
  return name;
}

/** Throws E_USAGE unless `key` is a valid secret key (schema `SecretKey`). */
export function checkSecretKey(key: string): string {
  if (!KEY.test(key)) throw new GitfleetError('E_USAGE', `"${key}" is not a valid secret key (letters, digits, "_", "." and "-", starting with a letter or "_")`);
  return key;
}

/** True for a valid secret key (used to pick store files). */
export function isSecretKey(key: string): boolean {
  return KEY.test(key);
}

/** A secret key as it may appear in a git branch name: `..` and `.lock` would make an invalid ref. */
export function branchSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '-');
}
