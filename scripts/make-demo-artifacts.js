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

const specs = WHEELS.map(([name, version, body]) => ({ name, version, body, summary: 'gitfleet quick-start demo package' }));
execFileSync('python3', [join(root, 'scripts/write-wheels.py'), wheels], { input: JSON.stringify(specs), stdio: ['pipe', 'inherit', 'inherit'] });

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
