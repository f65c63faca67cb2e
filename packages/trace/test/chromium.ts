import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Flags for a headless chromium in a container: no sandbox (root), no GPU, nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Debian's chromium, which scripts/system-deps.mjs installs before the tests run (the same lookup as its SYSTEM_DEPS entry). */
export function chromiumPath(): string {
  const candidates = [
    '/usr/bin/chromium',
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'chromium')),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return found;
  throw new Error(
    "chromium is not installed. Run `npx pnpm@10 system-deps` (it installs Debian's chromium as root) or `sudo apt-get install -y chromium`, then the tests again.",
  );
}
