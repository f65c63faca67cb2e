import { describe, expect, it } from 'vitest';
import { getServiceStatus, useBedrock } from './helpers.js';

// Nova caches only prefixes of at least 1,000 tokens; this system prompt is about 1,500.
const LONG_SYSTEM = `You are the operations assistant for a large ECS estate. ${'Follow the runbook carefully and cite the step you used. '.repeat(100)}`;

describe('usage and cost with prompt caching', () => {
  const { start, agentOn } = useBedrock();

  it('reports cache write then cache read tokens per step and prices them', async () => {
    const server = await start();
    const agent = agentOn(server, { system: [{ text: LONG_SYSTEM }, { cachePoint: { type: 'default' } }] });
    const first = await agent.run('first question');
    const second = await agent.run('second question');

    const written = first.steps[0]?.usage.cacheWriteInputTokens ?? 0;
    expect(written).toBeGreaterThan(1_000);
    expect(first.usage.cacheReadInputTokens).toBe(0);
    expect(second.usage).toMatchObject({ cacheReadInputTokens: written, cacheWriteInputTokens: 0 });
    expect(second.usage.totalTokens).toBe(second.usage.inputTokens + second.usage.outputTokens + written);
    expect(server.requests[1]?.usage?.cacheReadInputTokens).toBe(written);
    expect(second.costUsd).toBeCloseTo((second.usage.inputTokens * 0.8 + second.usage.outputTokens * 3.2 + written * 0.2) / 1e6, 12);
    // Per step and per run agree.
    expect(second.steps[0]?.costUsd).toBe(second.costUsd);
  });

  it('a price passed to the agent overrides the table', async () => {
    const server = await start();
    const result = await agentOn(server, { price: { inputPer1M: 1_000_000, outputPer1M: 0 } }).run('hi');
    expect(result.costUsd).toBe(result.usage.inputTokens);
  });
});

describe('cost sums over a run', () => {
  const { start, agentOn } = useBedrock();

  it("a run's cost is the exact sum of its steps, without float noise", async () => {
    const server = await start({
      script: {
        turns: [
          { content: [{ toolUse: { toolUseId: 'auto', name: 'get_service_status', input: { service_name: 'payments-api' } } }] },
          { content: [{ toolUse: { toolUseId: 'auto', name: 'get_service_status', input: { service_name: 'report-worker' } } }] },
          { content: [{ text: 'Both are healthy.' }] },
        ],
      },
    });
    const result = await agentOn(server, { tools: [getServiceStatus] }).run('Are payments-api and report-worker healthy?');
    expect(result.steps).toHaveLength(3);
    const pico = result.steps.reduce(
      (sum, step) => sum + BigInt(step.usage.inputTokens) * 800_000n + BigInt(step.usage.outputTokens) * 3_200_000n,
      0n,
    );
    expect(result.costUsd).toBe(Number(pico) / 1e12);
    // At most the digits the prices and token counts give: no ...0000000003 tail.
    expect(String(result.costUsd)).toMatch(/^0\.\d{1,12}$/);
  });
});
