import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { canInstallWithApt, ensureSystemDeps, installCommand, main, missingMessage, SYSTEM_DEPS } from './system-deps.mjs';

const script = join(dirname(fileURLToPath(import.meta.url)), 'system-deps.mjs');
const absent = {
  name: 'no-such-server',
  usedBy: 'a test of system-deps',
  locate: () => undefined,
  debian: 'no-such-server',
  brew: 'no-such-formula',
};
const present = { name: 'node', usedBy: 'everything', locate: () => process.execPath, debian: 'nodejs', brew: 'node' };

describe('installCommand', () => {
  it('is apt-get without sudo for root on Linux', () => {
    expect(installCommand([absent], { platform: 'linux', root: true })).toBe('apt-get update && apt-get install -y no-such-server');
  });
  it('is apt-get with sudo for anyone else on Linux', () => {
    expect(installCommand([absent, present], { platform: 'linux', root: false })).toBe(
      'sudo apt-get update && sudo apt-get install -y no-such-server nodejs',
    );
  });
  it('is brew on macOS', () => {
    expect(installCommand([absent, present], { platform: 'darwin', root: false })).toBe('brew install no-such-formula node');
  });
});

describe('canInstallWithApt', () => {
  it('needs Linux, root and apt-get, all three', () => {
    expect(canInstallWithApt({ platform: 'linux', root: true, aptGet: '/usr/bin/apt-get' })).toBe(true);
    expect(canInstallWithApt({ platform: 'linux', root: false, aptGet: '/usr/bin/apt-get' })).toBe(false);
    expect(canInstallWithApt({ platform: 'linux', root: true, aptGet: undefined })).toBe(false);
    expect(canInstallWithApt({ platform: 'darwin', root: true, aptGet: '/usr/bin/apt-get' })).toBe(false);
  });
});

describe('ensureSystemDeps', () => {
  it('does nothing when everything is installed', () => {
    const runs: string[][] = [];
    expect(
      ensureSystemDeps({
        deps: [present],
        canInstall: true,
        log: () => {},
        run: (cmd: string, args: string[]) => (runs.push([cmd, ...args]), 0),
      }),
    ).toEqual([]);
    expect(runs).toEqual([]);
  });

  it('installs the missing packages unattended, in one line, when it can', () => {
    const runs: { argv: string[]; frontend: string | undefined }[] = [];
    const lines: string[] = [];
    let installed = false;
    const dep = { ...absent, locate: () => (installed ? '/usr/bin/no-such-server' : undefined) };
    const stillMissing = ensureSystemDeps({
      deps: [dep, present],
      canInstall: true,
      log: (line: string) => lines.push(line),
      run: (cmd: string, args: string[], env: NodeJS.ProcessEnv) => {
        runs.push({ argv: [cmd, ...args], frontend: env.DEBIAN_FRONTEND });
        if (args[0] === 'install') installed = true;
        return 0;
      },
    });
    expect(stillMissing).toEqual([]);
    expect(runs).toEqual([
      { argv: ['apt-get', 'update', '-qq'], frontend: 'noninteractive' },
      { argv: ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'no-such-server'], frontend: 'noninteractive' },
    ]);
    expect(lines).toEqual(["system-deps: installing no-such-server from Debian's packages (needed by a test of system-deps)"]);
  });

  it('reports what is still missing when the install did not provide it', () => {
    const stillMissing = ensureSystemDeps({ deps: [absent], canInstall: true, log: () => {}, run: () => 100 });
    expect(stillMissing).toEqual([absent]);
  });

  it('installs nothing when it cannot, and returns the missing ones', () => {
    const runs: string[] = [];
    expect(
      ensureSystemDeps({ deps: [absent, present], canInstall: false, log: () => {}, run: (cmd: string) => (runs.push(cmd), 0) }),
    ).toEqual([absent]);
    expect(runs).toEqual([]);
  });
});

describe('main', () => {
  it('stops with exit code 1 and the exact command when something is missing and cannot be installed', () => {
    const errors: string[] = [];
    expect(main({ deps: [absent], canInstall: false, error: (text: string) => errors.push(text) })).toBe(1);
    expect(errors.join('\n')).toContain('no-such-server, for a test of system-deps');
    expect(errors.join('\n')).toContain(installCommand([absent]));
    expect(errors.join('\n')).toContain('No test was run.');
  });
  it('passes with exit code 0 when everything is there', () => {
    expect(main({ deps: [present], canInstall: false, error: () => {} })).toBe(0);
  });
});

describe('the script, as `pnpm test` runs it', () => {
  // A PATH holding only node: redis-server and apt-get cannot be found, as on a fresh machine where
  // the script cannot install (here it stays unable because apt-get is off PATH).
  const bin = mkdtempSync(join(tmpdir(), 'system-deps-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('stops before any test with the command for this platform', () => {
    const result = spawnSync(join(bin, 'node'), [script], { env: { PATH: bin }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    const redis = SYSTEM_DEPS.filter((dep: { name: string }) => dep.name === 'redis-server');
    expect(result.stderr).toContain(missingMessage(redis));
    expect(result.stderr).toContain(installCommand(redis));
  });

  it('passes when everything is found', () => {
    const result = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(result.status).toBe(0);
  });
});
