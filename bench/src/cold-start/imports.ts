// Where scenario 4's start-up time goes: a fresh process imports the packages the variants load,
// one after another, so each figure is what that package adds on top of the ones before it.
import { performance } from 'node:perf_hooks';

export const PACKAGES = ['@aws-sdk/client-bedrock-runtime', 'zod', '@novaloop/core'] as const;

const addedMs: Record<string, number> = {};
for (const name of PACKAGES) {
  const started = performance.now();
  await import(name);
  addedMs[name] = performance.now() - started;
}
console.log(JSON.stringify(addedMs));
