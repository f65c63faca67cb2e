import { NovaloopError } from '@novaloop/core';

/**
 * A store's driver package is not installed. Each store's driver is an optional peer dependency of
 * `@novaloop/memory`, so an app installs only the one it uses; this says which one that is.
 */
export class StoreDriverMissingError extends NovaloopError {
  /** The packages to install, as `npm install` takes them. */
  readonly packages: readonly string[];

  constructor(store: string, packages: readonly string[], options?: { cause?: unknown }) {
    super(
      'STORE_DRIVER_MISSING',
      `${store} needs ${packages.map((name) => `\`${name}\``).join(' and ')}, which ${packages.length > 1 ? 'are' : 'is'} not installed. ` +
        `Install it in your app (\`npm install ${packages.join(' ')}\`), then run again.`,
      options,
    );
    this.packages = packages;
  }
}

/**
 * Loads a store's driver on first use. `load` is a thunk around a literal `import()` so bundlers
 * and type-checkers still see the specifier; only a missing package becomes StoreDriverMissingError.
 */
export async function loadDriver<T>(store: string, packages: readonly string[], load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, packages)) throw new StoreDriverMissingError(store, packages, { cause: error });
    throw error;
  }
}

function isMissing(error: unknown, packages: readonly string[]): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // Only the driver itself: a driver that is installed but broken keeps its own error.
  return packages.some((name) => error.message.includes(`'${name}'`) || error.message.includes(`"${name}"`));
}
