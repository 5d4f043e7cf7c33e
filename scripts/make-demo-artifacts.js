#!/usr/bin/env node
// Rebuilds fleet/artifacts/: the tiny wheels and npm tarball the demo host installs with no index.
// Byte-for-byte reproducible (fixed zip times; npm pack's fixed mtimes), so re-running changes nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const wheels = join(root, 'fleet/artifacts/wheels');
const npmDir = join(root, 'fleet/artifacts/npm');
mkdirSync(wheels, { recursive: true });
mkdirSync(npmDir, { recursive: true });

const WHEELS = [
  ['gitfleet-demo-greeting', '1.0.0', 'def hello(name="fleet"):\n    return "hello, %s" % name\n'],
  ['gitfleet-demo-greeting', '1.1.0', 'def hello(name="fleet"):\n    return "hello, %s!" % name\n'],
  ['gitfleet-demo-clock', '2.0.0', 'import time\n\ndef now():\n    return time.strftime("%H:%M:%S")\n'],
  ['gitfleet-demo-clock', '2.1.0', 'import time\n\ndef now():\n    return time.strftime("%Y-%m-%d %H:%M:%S")\n'],
];

const PY = String.raw`
import base64, hashlib, json, os, sys, zipfile
out = sys.argv[1]
for name, version, body in json.loads(sys.argv[2]):
    mod = name.replace("-", "_")
    info = "%s-%s.dist-info" % (mod, version)
    files = [
        ("%s/__init__.py" % mod, '"""gitfleet demo package."""\n__version__ = "%s"\n%s' % (version, body)),
        ("%s/METADATA" % info, "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: gitfleet quick-start demo package\n" % (name, version)),
        ("%s/WHEEL" % info, "Wheel-Version: 1.0\nGenerator: gitfleet make-demo-artifacts\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        ("%s/top_level.txt" % info, mod + "\n"),
    ]
    rec = ["%s,sha256=%s,%d" % (p, base64.urlsafe_b64encode(hashlib.sha256(s.encode()).digest()).rstrip(b"=").decode(), len(s.encode())) for p, s in files]
    rec.append("%s/RECORD,," % info)
    files.append(("%s/RECORD" % info, "\n".join(rec) + "\n"))
    with zipfile.ZipFile(os.path.join(out, "%s-%s-py3-none-any.whl" % (mod, version)), "w", zipfile.ZIP_DEFLATED) as zf:
        for p, s in files:
            zi = zipfile.ZipInfo(p, date_time=(1980, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, s.encode())
`;
execFileSync('python3', ['-c', PY, wheels, JSON.stringify(WHEELS)], { stdio: 'inherit' });

for (const version of ['1.0.0', '1.1.0']) {
  const tmp = mkdtempSync(join(tmpdir(), 'gitfleet-demo-npm-'));
  writeFileSync(join(tmp, 'package.json'), JSON.stringify({
    name: 'gitfleet-demo-banner', version, description: 'gitfleet quick-start demo package', license: 'MIT',
    bin: { 'gitfleet-demo-banner': 'cli.js' }, main: 'index.js',
  }, null, 2) + '\n');
  writeFileSync(join(tmp, 'index.js'), `exports.banner = (s) => '== ' + s + ' ==';\nexports.version = '${version}';\n`);
  writeFileSync(join(tmp, 'cli.js'), `#!/usr/bin/env node\nconsole.log(require('./index.js').banner(process.argv[2] || 'gitfleet'));\n`);
  const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: tmp, encoding: 'utf8' }).trim().split('\n').pop();
  renameSync(join(tmp, file), join(npmDir, file));
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`wrote ${wheels} and ${npmDir}`);
