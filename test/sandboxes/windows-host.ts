/**
 * Runs `fn` with `process.platform` reading `win32`, as on a Windows host: builders that default to the host's
 * platform then answer as they would there. Restored afterwards, whatever happens.
 */
export async function asWindowsHost<T>(fn: () => T | Promise<T>): Promise<T> {
  const original = Object.getOwnPropertyDescriptor(process, 'platform')!;
  Object.defineProperty(process, 'platform', { ...original, value: 'win32' });
  try {
    return await fn();
  } finally {
    Object.defineProperty(process, 'platform', original);
  }
}
