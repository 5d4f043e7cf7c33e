// Real wheels and venvs for pip tests: wheels are written by /usr/bin/python3 with zipfile.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execRunner, runChecked, type CommandResult } from '../../src/util/exec.js';

export const PYTHON = '/usr/bin/python3';

/** A distribution to build: `name` goes into METADATA as written; the file name is escaped per the wheel spec. */
export interface WheelSpec {
  name: string;
  version: string;
}

const WRITE_WHEELS = String.raw`
import base64, hashlib, json, os, re, sys, zipfile
out = sys.argv[1]
for spec in json.loads(sys.argv[2]):
    name, version = spec["name"], spec["version"]
    dist = re.sub(r"[-_.]+", "_", name)
    mod = dist.lower()
    info = "%s-%s.dist-info" % (dist, version)
    files = [
        ("%s/__init__.py" % mod, "__version__ = %r\n" % version),
        ("%s/METADATA" % info, "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: test package\n\nbody line: not a header\n" % (name, version)),
        ("%s/WHEEL" % info, "Wheel-Version: 1.0\nGenerator: gitfleet-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
    ]
    rec = []
    for p, s in files:
        d = base64.urlsafe_b64encode(hashlib.sha256(s.encode()).digest()).rstrip(b"=").decode()
        rec.append("%s,sha256=%s,%d" % (p, d, len(s.encode())))
    rec.append("%s/RECORD,," % info)
    files.append(("%s/RECORD" % info, "\n".join(rec) + "\n"))
    path = os.path.join(out, "%s-%s-py3-none-any.whl" % (dist, version.replace("-", "_")))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for p, s in files:
            zi = zipfile.ZipInfo(p, date_time=(1980, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, s.encode())
`;

/** Writes one wheel per spec into `dir`. */
export async function writeWheels(dir: string, specs: WheelSpec[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await runChecked(execRunner, { file: PYTHON, args: ['-c', WRITE_WHEELS, dir, JSON.stringify(specs)] });
}

/** A clean environment for pip: no user config, no PIP_FIND_LINKS from this machine, no cache. */
export function pipEnv(): Record<string, string> {
  return { PIP_CONFIG_FILE: '/dev/null', PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1' };
}

/** Creates a venv with /usr/bin/python3 (with pip only when asked: that costs ~2 s). */
export async function makeVenv(dir: string, withPip: boolean): Promise<string> {
  await runChecked(execRunner, { file: PYTHON, args: ['-m', 'venv', ...(withPip ? [] : ['--without-pip']), dir], env: pipEnv(), cleanEnv: true });
  return dir;
}

/** Runs `VENV/bin/python -m pip ARGS` in the clean environment; throws on a non-zero exit. */
export async function pip(venv: string, args: string[]): Promise<CommandResult> {
  return runChecked(execRunner, { file: join(venv, 'bin', 'python'), args: ['-m', 'pip', ...args], env: pipEnv(), cleanEnv: true });
}

/** `pip list --format=json` of a venv as normalized name → version (the reference for listing). */
export async function pipListReference(venv: string): Promise<Record<string, string>> {
  const res = await pip(venv, ['list', '--format=json']);
  const out: Record<string, string> = {};
  for (const e of JSON.parse(res.stdout) as { name: string; version: string }[]) {
    out[e.name.replace(/[-_.]+/g, '-').toLowerCase()] = e.version;
  }
  return out;
}
