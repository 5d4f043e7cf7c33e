// Real npm tarballs for tests: generated folders packed with `npm pack`, npm kept offline.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execRunner, runChecked, type CommandResult } from '../../../src/util/exec.js';

/** A package to generate and pack. */
export interface PackSpec {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
}

/** npm settings that keep every test offline and out of the user's cache and config. */
export function npmEnv(tmp: string): Record<string, string> {
  return {
    HOME: tmp,
    npm_config_cache: join(tmp, 'npm-cache'),
    npm_config_userconfig: join(tmp, 'npmrc'),
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_loglevel: 'error',
  };
}

/** Runs npm with the offline environment; throws on a non-zero exit. */
export async function npm(tmp: string, args: string[], cwd?: string): Promise<CommandResult> {
  return runChecked(execRunner, { file: 'npm', args, env: npmEnv(tmp), cleanEnv: true, ...(cwd ? { cwd } : {}) });
}

/** Generates and packs every spec into `outDir`; returns the tarball paths. */
export async function packAll(tmp: string, outDir: string, specs: PackSpec[]): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const paths: string[] = [];
  for (const [i, s] of specs.entries()) {
    const src = join(tmp, 'pkg-src', String(i));
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'package.json'), JSON.stringify({ name: s.name, version: s.version, main: 'index.js', ...(s.dependencies ? { dependencies: s.dependencies } : {}) }));
    await writeFile(join(src, 'index.js'), `module.exports = ${JSON.stringify(s.version)};\n`);
    const res = await npm(tmp, ['pack', '--pack-destination', outDir, '--silent'], src);
    paths.push(join(outDir, res.stdout.trim().split('\n').pop() ?? ''));
  }
  return paths;
}

/** `npm ls --json --depth=0` of a target as name → version (the reference for listing). */
export async function npmLsReference(tmp: string, targetArgs: string[]): Promise<Record<string, string>> {
  const res = await execRunner.run({ file: 'npm', args: ['ls', '--json', '--depth=0', ...targetArgs], env: npmEnv(tmp), cleanEnv: true });
  const data = JSON.parse(res.stdout) as { dependencies?: Record<string, { version?: string }> };
  return Object.fromEntries(Object.entries(data.dependencies ?? {}).flatMap(([n, d]) => (d.version ? [[n, d.version]] : [])));
}
