import { readFile } from 'node:fs/promises';
import * as nodeOs from 'node:os';
import type { OsProbeFacts } from './probe.js';
import { UNKNOWN, type Unknown } from './types.js';

// The OS probe reads files instead of calling systeminformation's osInfo(): that runs
// `hostname -f` with execSync, which blocks the event loop (so no timeout can fire) for as long
// as a DNS lookup hangs.

/** Where the distribution and release are read from, per platform; injectable for tests. */
export interface OsReleaseSources {
  platform: NodeJS.Platform;
  /** Linux: os-release files in order of preference (the first that exists is used). */
  osReleasePaths?: string[];
  /** macOS: the SystemVersion.plist that sw_vers itself reads. */
  systemVersionPath?: string;
}

/** Distribution and release from /etc/os-release (Linux), SystemVersion.plist (macOS) or Node (Windows). */
export async function probeOsRelease(src: OsReleaseSources): Promise<OsProbeFacts> {
  if (src.platform === 'win32') return { distro: known(nodeOs.version()), release: known(nodeOs.release()) };
  if (src.platform === 'darwin') {
    const plist = await readFile(src.systemVersionPath ?? '/System/Library/CoreServices/SystemVersion.plist', 'utf8');
    return { distro: known(plistString(plist, 'ProductName') ?? ''), release: known(plistString(plist, 'ProductVersion') ?? '') };
  }
  const text = await readFirst(src.osReleasePaths ?? ['/etc/os-release', '/usr/lib/os-release']);
  return parseOsRelease(text);
}

/** Parses os-release(5): NAME becomes the distro, VERSION_ID (else VERSION, else BUILD_ID) the release. */
export function parseOsRelease(text: string): OsProbeFacts {
  const vars = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) vars.set(m[1], unquote(m[2]));
  }
  return {
    distro: known(vars.get('NAME') ?? ''),
    release: known(vars.get('VERSION_ID') ?? vars.get('VERSION') ?? vars.get('BUILD_ID') ?? ''),
  };
}

/** The `<string>` that follows `<key>name</key>` in an XML property list. */
export function plistString(xml: string, key: string): string | undefined {
  const m = new RegExp(`<key>${key}</key>\\s*<string>([^<]*)</string>`).exec(xml);
  return m?.[1];
}

// os-release values are shell-style: optionally quoted, with backslash escapes inside quotes.
function unquote(v: string): string {
  const m = /^(["'])(.*)\1$/.exec(v);
  return m?.[2] === undefined ? v : m[1] === '"' ? m[2].replace(/\\(.)/g, '$1') : m[2];
}

async function readFirst(paths: string[]): Promise<string> {
  let last: unknown;
  for (const p of paths) {
    try {
      return await readFile(p, 'utf8');
    } catch (err) {
      last = err;
    }
  }
  throw last ?? new Error('no os-release file');
}

function known(s: string): string | Unknown {
  const t = s.trim();
  return t === '' ? UNKNOWN : t;
}
