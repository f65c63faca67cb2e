// scripts/system-deps.mjs at the repository root (three levels up from both src/ and dist/) decides
// what `pnpm test` installs; the starters use its lookups and install commands, so the two can never
// disagree about where a server is or how to get it.
interface SystemDep {
  name: string;
}

interface SystemDepsModule {
  SYSTEM_DEPS: SystemDep[];
  installCommand(deps: SystemDep[]): string;
  postgresBinDir(): string | undefined;
}

const systemDeps = (await import(new URL('../../../scripts/system-deps.mjs', import.meta.url).href)) as SystemDepsModule;

/** "<what> is not installed. Install it with `<command>`, then run the tests again." */
export function installHint(name: string, what = name): string {
  const command = systemDeps.installCommand(systemDeps.SYSTEM_DEPS.filter((dep) => dep.name === name));
  return `${what} is not installed. Install it with \`${command}\`, then run the tests again.`;
}

export const postgresBinDir = (): string | undefined => systemDeps.postgresBinDir();
