import fc from 'fast-check';

/** A package as dpkg records it in its status file, for property tests. */
export interface GenPkg {
  name: string;
  status: string;
  arch: string;
  multiArch: string | undefined;
  version: string;
  conffiles: boolean;
}

const status = fc.constantFrom(
  'install ok installed', 'hold ok installed', 'deinstall ok config-files', 'install ok triggers-pending',
  'install ok unpacked', 'purge ok not-installed', 'install reinstreq half-installed',
);

export const dpkgPackage: fc.Arbitrary<GenPkg> = fc.record({
  name: fc.stringMatching(/^[a-z0-9][a-z0-9+.-]{1,12}$/),
  status,
  arch: fc.constantFrom('amd64', 'i386', 'all', 'arm64'),
  multiArch: fc.constantFrom(undefined, 'same', 'foreign', 'allowed'),
  version: fc.stringMatching(/^([1-9]:)?[0-9][a-z0-9.+~]{0,8}(-[0-9a-z.+~]{1,5})?$/),
  conffiles: fc.boolean(),
});

/** A stanza in dpkg's own field order and layout, with field names in its description to mislead a careless reader. */
export function renderStanza(p: GenPkg): string {
  return [
    `Package: ${p.name}`, `Status: ${p.status}`, 'Priority: optional', 'Section: libs', 'Installed-Size: 12',
    'Maintainer: A Person <a@example.invalid>', `Architecture: ${p.arch}`, ...(p.multiArch ? [`Multi-Arch: ${p.multiArch}`] : []),
    `Version: ${p.version}`, 'Depends: libc6 (>= 2.34)', ...(p.conffiles ? ['Conffiles:', ' /etc/x.conf 0123abcd'] : []),
    'Description: test', ' more text', ' .', ' Version: 9.9 in a description is not a field', ' Package: nor is this', 'Original-Version: 0.1', '',
  ].join('\n') + '\n';
}
