import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DemoSetupError, formatUsd, hasAwsCredentials, main, viewCommand } from '../src/demo.js';

const DEMO = fileURLToPath(new URL('../src/demo.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// A HOME without ~/.aws, so the machine's own AWS setup can never make these tests pass or fail.
const emptyHome = mkdtempSync(join(tmpdir(), 'novaloop-demo-home-'));
// Trace files go here, not into examples/.traces.
const traces = mkdtempSync(join(tmpdir(), 'novaloop-demo-traces-'));
afterAll(() => {
  rmSync(emptyHome, { recursive: true, force: true });
  rmSync(traces, { recursive: true, force: true });
});

describe('demo, offline on bedrock-local', () => {
  it('prints every step live, then the answer, total tokens and cost, and the command that views its trace', async () => {
    const lines: string[] = [];
    const printedAt: number[] = [];
    const traceFile = join(traces, 'live.jsonl');
    const result = await main(
      [],
      (line) => {
        lines.push(line);
        printedAt.push(Date.now());
      },
      { ...process.env, NOVALOOP_DEMO_TRACE: traceFile },
    );

    expect(result.stopReason).toBe('end_turn');
    expect(result.steps).toHaveLength(3);
    expect(lines[0]).toMatch(/^Backend: bedrock-local at http:\/\/127\.0\.0\.1:\d+ .*us\.amazon\.nova-pro-v1:0$/);
    expect(lines).toContain('User: How many failed ECS tasks do we have in the last hour?');

    const at = (text: string) => {
      const index = lines.findIndex((line) => line.startsWith(text));
      expect(index, `no line starts with ${JSON.stringify(text)}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const usage = result.steps.map((step) => step.usage);
    const cost = result.steps.map((step) => step.costUsd!.toFixed(6));
    const header = (n: number, stop: string) =>
      new RegExp(
        `^Step ${n}  \\(${usage[n - 1]?.inputTokens} in / ${usage[n - 1]?.outputTokens} out tokens, \\d+ ms, ${stop}, \\$${cost[n - 1]}\\)$`,
      );
    const step1 = lines.findIndex((line) => header(1, 'tool_use').test(line));
    const step2 = lines.findIndex((line) => header(2, 'tool_use').test(line));
    const step3 = lines.findIndex((line) => header(3, 'end_turn').test(line));
    expect([step1, step2, step3].every((i) => i > 0)).toBe(true);

    // Each step's lines sit between its header and the next one, in trace order.
    const rationale1 = at('  rationale:   To find how many ECS tasks failed in the last hour, I need to query the tasks table');
    const call1 = at(
      `  tool call:   query_database({"query":"SELECT service, COUNT(*) AS failed FROM ecs_tasks WHERE status = 'FAILED' AND stopped_at > NOW() - INTERVAL '1 hour' GROUP BY service"})`,
    );
    const observation1 = at('  observation: {"rows":[{"service":"payments-api","failed":5},{"service":"report-worker","failed":2}]}');
    const rationale2 = at('  rationale:   The query shows failed tasks in two services');
    const call2 = at('  tool call:   get_service_status({"service_name":"payments-api"})');
    const observation2 = at(
      '  observation: {"service":"payments-api","status":"degraded","running":2,"desired":4,"last_failure":"OutOfMemoryError"}',
    );
    const answer = at('Answer: There were 7 failed ECS tasks in the last hour: 5 in payments-api and 2 in report-worker.');
    expect([step1, rationale1, call1, observation1, step2, rationale2, call2, observation2, step3, answer]).toEqual(
      [step1, rationale1, call1, observation1, step2, rationale2, call2, observation2, step3, answer].sort((a, b) => a - b),
    );

    // Live, not replayed afterwards: step 1 was on screen before step 2 even started.
    expect(printedAt[step1]).toBeLessThanOrEqual(result.steps[1]!.startTime.getTime());

    const { inputTokens, outputTokens, totalTokens } = result.usage;
    expect(totalTokens).toBe(inputTokens + outputTokens);
    expect(result.costUsd).toBeCloseTo((inputTokens * 0.8 + outputTokens * 3.2) / 1e6, 12);
    expect(lines.at(-4)).toBe(
      `Run: 3 steps, 3 model calls, stop reason end_turn; ${inputTokens} in + ${outputTokens} out = ${totalTokens} tokens; ` +
        `cost $${result.costUsd!.toFixed(6)}`,
    );
    expect(lines.slice(-2)).toEqual([
      `Trace: appended to ${traceFile}. View it as an HTML page (from the repository root):`,
      `  npx pnpm@10 trace view ${traceFile}`,
    ]);
    // The trace file holds this run, written before the command was printed.
    const written = readFileSync(traceFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { runId: string; novaloop?: { event: string } });
    expect(written.every((line) => line.runId === result.runId)).toBe(true);
    expect(written.at(-1)?.novaloop?.event).toBe('run-end');
  });

  it('the printed command, run from the repository root, writes the HTML page of the demo run', async () => {
    const traceFile = join(traces, 'with space', "it's.jsonl");
    const result = await main([], () => undefined, { ...process.env, NOVALOOP_DEMO_TRACE: traceFile });
    const command = viewCommand(traceFile);
    expect(command).toBe(`npx pnpm@10 trace view '${traceFile.replace("it's", "it'\\''s")}'`);
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'sh',
        ['-c', command],
        { cwd: REPO_ROOT, env: { ...process.env, npm_config_yes: 'true' }, timeout: 60_000 },
        (error, out, err) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: out, stderr: err }),
      );
    });
    expect(code, stderr).toBe(0);
    const html = join(traces, 'with space', "it's.html");
    expect(stdout).toContain(`Wrote ${html} (1 run,`);
    expect(existsSync(html)).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain(result.runId);
    expect(page).toContain('get_service_status');
  }, 90_000);

  it('prints an unknown cost as "unknown", never as $0', () => {
    expect(formatUsd(undefined)).toBe('unknown');
    expect(formatUsd(0.0013816)).toBe('$0.001382');
  });

  it('runs as a command and exits by itself', async () => {
    const { code, stdout } = await runDemo([], {
      PATH: process.env.PATH,
      HOME: emptyHome,
      NOVALOOP_DEMO_TRACE: join(traces, 'command.jsonl'),
    });
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^Backend: bedrock-local at /);
    expect(stdout).toContain('Answer: There were 7 failed ECS tasks');
    expect(stdout).toContain(`npx pnpm@10 trace view ${join(traces, 'command.jsonl')}`);
    // Not a terminal: no colour codes.
    expect(stdout).not.toContain('\x1b[');
  });
});

describe('demo --bedrock', () => {
  it('refuses to start without AWS credentials and says how to configure them', async () => {
    for (const [argv, env] of [
      [['--bedrock'], { HOME: emptyHome }],
      [[], { HOME: emptyHome, NOVALOOP_DEMO_BEDROCK: '1' }],
    ] as const) {
      const lines: string[] = [];
      const run = main(argv, (line) => lines.push(line), env);
      await expect(run).rejects.toThrow(DemoSetupError);
      await expect(run).rejects.toThrow(/needs AWS credentials, and none were found[\s\S]*aws configure[\s\S]*AWS_PROFILE/);
      expect(lines).toEqual([]);
    }
  });

  it('exits 1 with the message on stderr when run as a command', async () => {
    const { code, stdout, stderr } = await runDemo(['--bedrock'], {
      PATH: process.env.PATH,
      HOME: emptyHome,
      NOVALOOP_DEMO_TRACE: join(traces, 'bedrock.jsonl'),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Real Bedrock \(--bedrock or NOVALOOP_DEMO_BEDROCK=1\) needs AWS credentials/);
    expect(stderr).toContain('aws configure');
    expect(stdout).toBe('');
  });

  it('finds credentials in the environment, AWS_PROFILE, a Bedrock API key or ~/.aws files', () => {
    expect(hasAwsCredentials({ HOME: emptyHome })).toBe(false);
    expect(hasAwsCredentials({ HOME: emptyHome, AWS_ACCESS_KEY_ID: 'AKID' })).toBe(true);
    expect(hasAwsCredentials({ HOME: emptyHome, AWS_PROFILE: 'dev' })).toBe(true);
    expect(hasAwsCredentials({ HOME: emptyHome, AWS_BEARER_TOKEN_BEDROCK: 'key' })).toBe(true);
    const home = mkdtempSync(join(tmpdir(), 'novaloop-demo-aws-'));
    try {
      mkdirSync(join(home, '.aws'));
      writeFileSync(join(home, '.aws', 'credentials'), '[default]\n');
      expect(hasAwsCredentials({ HOME: home })).toBe(true);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('rejects an unknown argument with the usage', async () => {
    await expect(main(['--bedrok'], () => undefined, { HOME: emptyHome })).rejects.toThrow(/Unknown argument --bedrok[\s\S]*Usage:/);
  });
});

/** Runs the demo the way `pnpm demo` does, in its own process with only `env`. */
function runDemo(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, ['--conditions=@novaloop/source', DEMO, ...args], { env, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}
