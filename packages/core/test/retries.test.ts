import type { Fault } from '@novaloop/bedrock-local';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { describe, it } from 'vitest';
import { BedrockRequestError, type AgentEvent } from '../src/index.js';
import { INFRA_QUESTION, INFRA_SCRIPT, infraTools, LOCAL_CREDENTIALS, bedrockFor } from './helpers.js';

type Case = { name: string; fault: Fault; streamOnly?: boolean; code: RegExp };

const CASES: Case[] = [
  { name: 'throttling (429)', fault: { kind: 'throttling' }, code: /^ThrottlingException$/ },
  { name: 'service unavailable (503)', fault: { kind: 'service-unavailable' }, code: /^ServiceUnavailableException$/ },
  { name: 'internal error (500)', fault: { kind: 'internal-error' }, code: /^InternalServerException$/ },
  { name: 'a dropped connection', fault: { kind: 'drop-connection' }, code: /./ },
  {
    name: 'an exception before the first event',
    fault: { kind: 'stream-exception', afterEvents: 0, exception: 'serviceUnavailableException' },
    streamOnly: true,
    code: /serviceUnavailable/i,
  },
  {
    name: 'an exception in the middle of the stream',
    fault: { kind: 'stream-exception', afterEvents: 4, exception: 'internalServerException' },
    streamOnly: true,
    code: /internalServer/i,
  },
  {
    name: 'a throttling exception mid-stream',
    fault: { kind: 'stream-exception', afterEvents: 3, exception: 'throttlingException' },
    streamOnly: true,
    code: /throttling/i,
  },
  { name: 'a stream cut mid-frame', fault: { kind: 'stream-cut', afterEvents: 3 }, streamOnly: true, code: /./ },
];

describe.concurrent('retries', () => {
  for (const c of CASES) {
    for (const stream of c.streamOnly ? [true] : [true, false]) {
      it(`${stream ? 'ConverseStream' : 'Converse'}: ${c.name} is retried, each retry is an event, and the run succeeds`, async (context) => {
        const { expect } = context;
        const { start, agentOn } = bedrockFor(context);
        const server = await start({ script: INFRA_SCRIPT });
        // Two failures in a row on the second model call: the loop (not the SDK) retries them.
        server.injectFaults({ fault: c.fault, requests: [2, 3] });
        const agent = agentOn(server, { tools: infraTools, stream });
        const retries: Extract<AgentEvent, { type: 'retry' }>[] = [];
        agent.events.on('retry', (event) => retries.push(event));
        const result = await agent.run(INFRA_QUESTION);

        expect(result.stopReason).toBe('end_turn');
        expect(result.steps.map((s) => s.attempts)).toEqual([1, 3, 1]);
        expect(server.requests).toHaveLength(5);
        expect(retries.map((r) => [r.stepIndex, r.attempt, r.reason])).toEqual([
          [1, 2, 'transient'],
          [1, 3, 'transient'],
        ]);
        for (const retry of retries) {
          expect(retry.error.code).toMatch(c.code);
          expect(retry.delayMs).toBeGreaterThanOrEqual(0);
          expect(retry.delayMs).toBeLessThanOrEqual(5);
        }
        // The answer comes from the attempt that succeeded, whole and once.
        expect(result.text).toMatch(/^There were 7 failed ECS tasks/);
      });
    }
  }

  it('a model call that hangs past clientConfig.idleTimeoutMs is retried', async (context) => {
    const { expect } = context;
    const { start, agentOn } = bedrockFor(context);
    const server = await start({ script: INFRA_SCRIPT });
    server.injectFaults({ fault: { kind: 'latency', ms: 10_000 }, requests: [1] });
    // 1 s, not less: on a loaded machine a healthy request can be silent for a few hundred ms, and
    // would then be retried too.
    const agent = agentOn(server, {
      tools: infraTools,
      // Long enough that the healthy attempts never go idle that long on a loaded machine, far below the
      // 10 s the first attempt hangs.
      clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS }, idleTimeoutMs: 1_500 },
    });
    const retries: string[] = [];
    agent.events.on('retry', (event) => retries.push(event.error.code));
    const started = Date.now();
    const result = await agent.run(INFRA_QUESTION);
    expect(result.stopReason).toBe('end_turn');
    expect(retries).toEqual(['TimeoutError']);
    // Well before the hung attempt would have answered.
    expect(Date.now() - started).toBeLessThan(9_000);
  });

  it('stops after retry.maxAttempts with BEDROCK_RETRIES_EXHAUSTED, the attempts and the cause', async (context) => {
    const { expect } = context;
    const { start, agentOn } = bedrockFor(context);
    const server = await start({ script: INFRA_SCRIPT });
    server.injectFaults({ fault: { kind: 'throttling' }, times: Infinity });
    const agent = agentOn(server, { tools: infraTools, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    const error = await agent.run(INFRA_QUESTION).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BedrockRequestError);
    expect(error).toMatchObject({ code: 'BEDROCK_RETRIES_EXHAUSTED', bedrockCode: 'ThrottlingException', status: 429, attempts: 3 });
    expect((error as Error).message).toMatch(/Too many requests.*after 3 attempt/);
    // One layer owns the retry count: 3 attempts are 3 requests, not 3 × the SDK's 3.
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry what retrying cannot fix (a validation error)', async (context) => {
    const { expect } = context;
    const { start, agentOn } = bedrockFor(context);
    const server = await start();
    const agent = agentOn(server, { model: 'amazon.nova-premier-v1:0' });
    const error = await agent.run('hi').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BEDROCK_REQUEST_FAILED', bedrockCode: 'ValidationException', status: 400, attempts: 1 });
    expect((error as Error).message).toMatch(/on-demand throughput isn’t supported|on-demand throughput isn't supported/);
    expect(server.requests).toHaveLength(1);
  });

  it('an abort during the backoff sleep ends the run at once', async (context) => {
    const { expect } = context;
    const { start, agentOn } = bedrockFor(context);
    const server = await start({ script: INFRA_SCRIPT });
    server.injectFaults({ fault: { kind: 'throttling' }, times: Infinity });
    const agent = agentOn(server, { tools: infraTools, retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const controller = new AbortController();
    agent.events.on('retry', () => setTimeout(() => controller.abort(), 20));
    const started = Date.now();
    const result = await agent.run(INFRA_QUESTION, { signal: controller.signal });
    expect(result.stopReason).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.requests).toHaveLength(1);
  });

  it('backoff delays use full jitter under an exponential bound', async (context) => {
    const { expect } = context;
    const { start, agentOn } = bedrockFor(context);
    const server = await start({ script: INFRA_SCRIPT });
    server.injectFaults({ fault: { kind: 'service-unavailable' }, requests: [1, 2, 3] });
    const agent = agentOn(server, { tools: infraTools, retry: { maxAttempts: 4, baseDelayMs: 8, maxDelayMs: 20 } });
    const delays: number[] = [];
    agent.events.on('retry', (event) => delays.push(event.delayMs));
    await agent.run(INFRA_QUESTION);
    expect(delays).toHaveLength(3);
    [8, 16, 20].forEach((bound, i) => expect(delays[i]).toBeLessThan(bound));
  });

  it('a client you pass is used as given, its own retries included', async (context) => {
    const { expect } = context;
    const { start, agentOn } = bedrockFor(context);
    const server = await start({ script: INFRA_SCRIPT });
    server.injectFaults({ fault: { kind: 'throttling' }, requests: [1] });
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { ...LOCAL_CREDENTIALS },
      maxAttempts: 2,
    });
    const agent = agentOn(server, { client, tools: infraTools });
    const retries: unknown[] = [];
    agent.events.on('retry', (event) => retries.push(event));
    const result = await agent.run(INFRA_QUESTION);
    expect(result.stopReason).toBe('end_turn');
    // The SDK retried the throttled request itself (its default HTTP/2 handler), so novaloop saw no failure.
    expect(retries).toEqual([]);
    expect(server.requests.map((r) => r.protocol)).toEqual(['h2', 'h2', 'h2', 'h2']);
    agent.close();
    // close() leaves a caller's client alone.
    await expect(client.config.credentials()).resolves.toMatchObject({ accessKeyId: LOCAL_CREDENTIALS.accessKeyId });
    client.destroy();
  });
});
