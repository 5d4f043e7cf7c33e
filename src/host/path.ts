import { access, stat, constants } from 'node:fs/promises';
import { join } from 'node:path';

export interface PathLookup {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}

/** Finds an executable on PATH the way a shell would, without spawning anything; undefined when absent. */
export async function findOnPath(name: string, lookup: PathLookup): Promise<string | undefined> {
  const windows = lookup.platform === 'win32';
  const pathValue = envValue(lookup.env, 'PATH', windows) ?? '';
  const dirs = pathValue.split(windows ? ';' : ':').filter((d) => d.length > 0);
  // Windows runs `docker` as `docker.exe`: try each PATHEXT suffix, as cmd.exe does.
  const suffixes = windows
    ? (envValue(lookup.env, 'PATHEXT', true) ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean).map((s) => s.toLowerCase())
    : [''];
  for (const dir of dirs) {
    for (const suffix of suffixes) {
      const candidate = join(dir, name + suffix);
      if (await isExecutableFile(candidate, windows)) return candidate;
    }
  }
  return undefined;
}

async function isExecutableFile(file: string, windows: boolean): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    if (!windows) await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Windows environment names are case-insensitive (`Path` is common); an injected env object is not.
function envValue(env: NodeJS.ProcessEnv, key: string, caseInsensitive: boolean): string | undefined {
  if (!caseInsensitive) return env[key];
  const found = Object.keys(env).find((k) => k.toUpperCase() === key);
  return found === undefined ? undefined : env[found];
}
