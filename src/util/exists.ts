import { access } from 'node:fs/promises';

/** True when `p` exists (any kind of file, links followed); false when it cannot be reached. */
export async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}
