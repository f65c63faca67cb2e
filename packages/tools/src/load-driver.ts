import { createRequire } from 'node:module';
import { MissingDriverError } from './errors.js';

const require = createRequire(import.meta.url);

/** Throws `MissingDriverError` now, at setup, when an optional driver is not installed. */
export function checkDriverInstalled(packageName: string, forWhat: string, install?: string[]): void {
  try {
    require.resolve(packageName);
  } catch (error) {
    throw new MissingDriverError(packageName, forWhat, { cause: error, ...(install && { install }) });
  }
}

/** Imports an optional driver on first use; the package stays optional for users of other tools. */
export async function loadDriver<T>(packageName: string, forWhat: string, install?: string[]): Promise<T> {
  try {
    return (await import(packageName)) as T;
  } catch (error) {
    if (isNotFound(error)) throw new MissingDriverError(packageName, forWhat, { cause: error, ...(install && { install }) });
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}
