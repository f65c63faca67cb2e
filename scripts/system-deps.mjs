#!/usr/bin/env node
// The servers and programs the test suite runs for real. `pnpm test` calls this before any test:
// a missing one is installed from Debian's packages when we run as root with apt-get (containers,
// CI), and otherwise the run stops here with the exact command to type. A missing server must never
// turn into skipped or failing tests halfway through a run.
//
// To add a server: add an entry to SYSTEM_DEPS (a test-servers starter then finds it with the same
// `locate`, so the two can never disagree about where it is).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Finds an executable on PATH, or undefined. */
export function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * The directory holding initdb and postgres: on PATH, or where Debian's `postgresql` package puts
 * them (/usr/lib/postgresql/<major>/bin, off PATH). test-servers' startPostgres uses this same lookup.
 */
export function postgresBinDir() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    // Followed to the real directory: a symlinked initdb on PATH has its siblings next to its target.
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dirname(realpathSync(join(dir, 'initdb')));
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((entry) => /^\d+$/.test(entry) && existsSync(join(root, entry, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length > 0 ? join(root, majors[0], 'bin') : undefined;
}

/**
 * @typedef {object} SystemDep
 * @property {string} name       what it is, as a person says it
 * @property {string} usedBy     which tests need it
 * @property {() => string | undefined} locate  its path when installed
 * @property {string} debian     the Debian/Ubuntu package
 * @property {string} brew       the Homebrew formula, for the hint on macOS
 */

/** @type {SystemDep[]} */
export const SYSTEM_DEPS = [
  {
    name: 'redis-server',
    usedBy: 'the Redis session store tests (packages/memory)',
    locate: () => onPath('redis-server'),
    debian: 'redis-server',
    brew: 'redis',
  },
  {
    name: 'chromium',
    usedBy: 'the trace viewer browser tests (packages/trace, driven by playwright-core)',
    locate: () => (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : onPath('chromium')),
    debian: 'chromium',
    brew: 'chromium',
  },
  {
    name: 'PostgreSQL (initdb, postgres)',
    usedBy: 'the read-only SQL tool tests (packages/tools)',
    locate: () => postgresBinDir(),
    debian: 'postgresql',
    brew: 'postgresql',
  },
];

/** The command a person should run to install `deps` on this platform. */
export function installCommand(deps, { platform = process.platform, root = isRoot() } = {}) {
  if (platform === 'darwin') return `brew install ${deps.map((dep) => dep.brew).join(' ')}`;
  const sudo = root ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${deps.map((dep) => dep.debian).join(' ')}`;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Whether this machine can install Debian packages unattended: Linux, root, and apt-get on PATH.
 * Each part can be passed in so the decision is testable without being root or on Debian.
 */
/** @param {{ platform?: string, root?: boolean, aptGet?: string | undefined }} [options] */
export function canInstallWithApt(options = {}) {
  const { platform = process.platform, root = isRoot() } = options;
  // An explicit `aptGet: undefined` means "not found", so no default for it.
  const aptGet = 'aptGet' in options ? options.aptGet : onPath('apt-get');
  return platform === 'linux' && root && aptGet !== undefined;
}

/**
 * Installs what is missing when it can; returns the deps still missing afterwards.
 * `run` runs one command (apt-get) and is replaceable in tests; `canInstall` defaults to the real check.
 */
export function ensureSystemDeps({
  deps = SYSTEM_DEPS,
  log = (line) => console.log(line),
  canInstall = canInstallWithApt(),
  run = (command, args, env) => spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status,
} = {}) {
  const missing = deps.filter((dep) => !dep.locate());
  if (missing.length === 0) return [];
  if (!canInstall) return missing;
  const packages = missing.map((dep) => dep.debian);
  log(`system-deps: installing ${packages.join(', ')} from Debian's packages (needed by ${missing.map((dep) => dep.usedBy).join('; ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update', '-qq'], env) !== 0)
    log('system-deps: apt-get update failed; trying the install with the package lists there are');
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], env);
  return missing.filter((dep) => !dep.locate());
}

/** The message printed when deps are still missing: what, for which tests, and the command to type. */
export function missingMessage(stillMissing, options = {}) {
  return [
    'The tests need programs that are not installed:',
    ...stillMissing.map((dep) => `  - ${dep.name}, for ${dep.usedBy}`),
    `Install them with:\n\n  ${installCommand(stillMissing, options)}\n\nthen run the tests again. No test was run.`,
  ].join('\n');
}

/**
 * The whole check as `pnpm test` runs it; returns the process exit code.
 * @param {{ deps?: SystemDep[], error?: (text: string) => void, log?: (line: string) => void, canInstall?: boolean, run?: (command: string, args: string[], env: NodeJS.ProcessEnv) => number | null }} [options]
 */
export function main({ deps = SYSTEM_DEPS, error = (text) => console.error(text), ...options } = {}) {
  const stillMissing = ensureSystemDeps({ deps, ...options });
  if (stillMissing.length === 0) return 0;
  error(missingMessage(stillMissing));
  return 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = main();
}
