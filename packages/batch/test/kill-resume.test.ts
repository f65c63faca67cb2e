import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch } from '../src/index.js';
import { EXPECTED, jobOptions, LABELS, startBackends, tickets, type Backends } from './helpers.js';

// node itself with tsx's loader, not the tsx CLI: the CLI runs the script in a child process, which a
// SIGKILL of the CLI would leave running.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/run-batch.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'novaloop-batch-kill-'));
let backends: Backends;

beforeAll(async () => {
  // Slow enough that the child is killed mid-run: 25 ms a model call, 150 ms in each job status.
  backends = await startBackends({ latencyMs: 25, statusDelayMs: 150 });
});
afterAll(async () => {
  await backends.stop();
  rmSync(dir, { recursive: true, force: true });
});

const lines = (path: string): string[] => {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

/** Starts the child and SIGKILLs it once `ready()` holds; resolves with the signal it died of. */
function runAndKill(args: Record<string, unknown>, ready: () => boolean): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@novaloop/source', CHILD], {
    cwd: ROOT,
    env: { ...process.env, BATCH_ARGS: JSON.stringify(args) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (ready()) {
        clearInterval(timer);
        child.kill('SIGKILL');
      }
    }, 5);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (signal === 'SIGKILL') resolve(signal);
      else reject(new Error(`the child exited by itself (code ${code}) before it was killed: ${stderr}`));
    });
  });
}

describe('kill -9 and resume', () => {
  it('online: a killed run resumes from its checkpoint, redoing no finished record and losing none', async () => {
    const checkpoint = join(dir, 'online.jsonl');
    const count = 160;
    const signal = await runAndKill(
      { mode: 'online', count, prefix: 'k', checkpoint, clientConfig: backends.clientConfig },
      () => lines(checkpoint).length > 40,
    );
    expect(signal).toBe('SIGKILL');
    const doneBefore = lines(checkpoint).length - 1;
    expect(doneBefore).toBeGreaterThan(39);
    expect(doneBefore).toBeLessThan(count);
    const sentBefore = backends.bedrock.requests.length;

    const report = await batch(
      tickets(count, 'k'),
      { classify: { labels: LABELS } },
      {
        clientConfig: backends.clientConfig,
        checkpoint,
        progress: false,
      },
    );
    expect(report.resumed).toBeGreaterThanOrEqual(doneBefore);
    expect(report.succeeded).toBe(count);
    expect(report.results.map((r) => (r.ok ? r.value : r.error.code))).toEqual(tickets(count).map((_, i) => EXPECTED[i % 4]));
    // Only records not in the checkpoint were sent again.
    expect(backends.bedrock.requests.length - sentBefore).toBe(count - report.resumed);
    const ids = lines(checkpoint)
      .slice(1)
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(new Set(ids).size).toBe(count);
    expect(ids).toHaveLength(count);
  });

  it('bedrock-batch: a run killed while polling resumes the same job from the checkpoint, creating no second one', async () => {
    const checkpoint = join(dir, 'job.jsonl');
    const count = 120;
    const jobsBefore = backends.bedrock.batch.jobs.length;
    const bedrockBatch = { ...jobOptions(backends, 'killed'), pollIntervalMs: 20 };
    const signal = await runAndKill(
      { mode: 'bedrock-batch', count, prefix: 'j', checkpoint, clientConfig: backends.clientConfig, bedrockBatch },
      () => lines(checkpoint).length >= 2,
    );
    expect(signal).toBe('SIGKILL');
    const jobArn = (JSON.parse(lines(checkpoint)[1] as string) as { jobArn: string }).jobArn;
    expect(backends.bedrock.batch.jobs.length).toBe(jobsBefore + 1);

    const report = await batch(
      tickets(count, 'j'),
      { classify: { labels: LABELS } },
      {
        mode: 'bedrock-batch',
        clientConfig: backends.clientConfig,
        bedrockBatch,
        checkpoint,
        progress: false,
      },
    );
    expect(backends.bedrock.batch.jobs.length).toBe(jobsBefore + 1);
    expect(report.job?.jobArn).toBe(jobArn);
    expect(report.job?.status).toBe('Completed');
    expect(report.succeeded).toBe(count);
  });
});
