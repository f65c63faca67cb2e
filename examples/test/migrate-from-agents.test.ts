import { describe, expect, it } from 'vitest';
import { AGENTS_TOKENS_PER_CALL } from '../../bench/src/scenarios/cost.js';
import { main, QUESTION } from '../migrate-from-agents/migrate.js';

describe('migrate-from-agents, offline on bedrock-local with the real bedrock-agent and Lambda clients', () => {
  it('migrates the agent, runs the question through both action groups’ Lambdas and the knowledge base, and compares input tokens with Agents', async () => {
    const lines: string[] = [];
    const run = await main((line) => lines.push(line));

    expect(run.agent.actions.map((action) => action.toolName)).toEqual([
      'query_database',
      'get_service_status',
      'knowledge_base_RUNBOOKSKB',
    ]);
    expect(run.agent.migrationReport.map((note) => note.feature)).toEqual(['memoryConfiguration (SESSION_SUMMARY, 30 days)']);
    expect(lines).toContain(`User: ${QUESTION}`);
    expect(lines).toContain(
      '  tool get_service_status         ← action group service-status, GET /services/{service_name}/status (Lambda infra-status)',
    );
    // The Lambdas' answers, read back from the Agents response format, reached the model.
    expect(lines).toContain('  [1] observation: {"rows":[{"service":"payments-api","failed":5},{"service":"report-worker","failed":2}]}');
    expect(lines).toContain(
      '  [2] observation: {"service":"payments-api","status":"degraded","running":2,"desired":4,"last_failure":"OutOfMemoryError"}',
    );
    expect(lines.find((line) => line.startsWith('  [3] retrieved: '))).toMatch(/ecs-task-out-of-memory\.md/);
    expect(run.answer).toMatch(/^There were 7 failed ECS tasks in the last hour/);
    expect(lines).toContain(`Answer: ${run.answer}`);

    // Four model calls, each compared with the same call plus Agents' orchestration prompt.
    expect(run.inputTokens).toHaveLength(4);
    expect(AGENTS_TOKENS_PER_CALL).toBe(4_000);
    run.inputTokens.forEach((tokens, i) => {
      expect(tokens).toBeGreaterThan(100);
      expect(lines).toContain(
        `  ${String(i + 1).padEnd(4)}  ${String(tokens).padStart(8)}  ${String(tokens + AGENTS_TOKENS_PER_CALL).padStart(8)}`,
      );
    });
    const total = run.inputTokens.reduce((sum, tokens) => sum + tokens, 0);
    expect(lines.find((line) => line.startsWith('  all'))).toContain(String(total + 4 * AGENTS_TOKENS_PER_CALL));
    // Every trace part carries the agent's identity, as InvokeAgent's do.
    expect(new Set(run.traces.map((part) => `${part.agentId}/${part.agentAliasId}/${part.sessionId}`))).toEqual(
      new Set(['INFRAAGENT/PRODALIAS1/migrate-demo']),
    );
  });
});
