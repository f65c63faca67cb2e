// Runs one of the bench's own scripts in a fresh Node process, so that each variant's time, CPU and
// memory are its own. Children always run the built dist/ with plain `node`, also when this module
// runs from the TypeScript sources (the smoke test, which builds first): a TypeScript loader in the
// child would add its own start-up and module hooks to every figure, and more than double the time
// a child takes to start.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

// The same folder from src/ and from dist/.
const DIST = new URL('../dist/', import.meta.url);

export interface ScriptOutput {
  /** stdout lines, each with `performance.now()` in this process when it arrived. */
  lines: Array<{ text: string; atMs: number }>;
  /** Whatever the child wrote to stderr (the SDK's warnings, for one). */
  stderr: string;
}

/**
 * `script` is a path under dist/ without `.js`, e.g. `variant-process`; `onLine` hears each stdout line
 * as it arrives. `dist` is another bench build's dist/ (compare-builds); the child runs in its bench.
 */
export function runScript(
  script: string,
  args: readonly string[],
  onLine?: (text: string) => void,
  dist: URL = DIST,
): Promise<ScriptOutput> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(`${script}.js`, dist)), ...args], {
    cwd: fileURLToPath(new URL('..', dist)),
    stdio: ['ignore', 'pipe', 'pipe'],
    // The SDK's notice that its 2027 releases need Node 22 would otherwise be printed by every child.
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const lines: ScriptOutput['lines'] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const atMs = performance.now();
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) {
      lines.push({ text, atMs });
      onLine?.(text);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (partial) lines.push({ text: partial, atMs: performance.now() });
      if (code === 0) resolve({ lines, stderr });
      else reject(new Error(`bench child ${script} ${args.join(' ').slice(0, 200)} exited with ${code ?? signal}:\n${stderr}`));
    });
  });
}

/** Runs a script that prints one JSON result as its last line. */
export async function runJsonScript<T>(
  script: string,
  job: unknown,
  onLine?: (text: string) => void,
  dist?: URL,
): Promise<{ value: T; stderr: string }> {
  const { lines, stderr } = await runScript(script, [JSON.stringify(job)], onLine, dist);
  const last = lines.at(-1)?.text;
  if (last === undefined) throw new Error(`bench child ${script} printed nothing`);
  return { value: JSON.parse(last) as T, stderr };
}

/** The distinct warning lines a child wrote to stderr (their continuation lines left out), for a note under a table. */
export const warningsIn = (stderr: string): string[] => [...new Set(stderr.split('\n').filter((line) => /warn/i.test(line)))];
