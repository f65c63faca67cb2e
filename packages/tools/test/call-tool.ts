import type { Tool } from '@novaloop/core';

/**
 * Calls a tool the way the agent's dispatcher does (validate, then run) and returns what it
 * returned or threw. The agent turns a throw into an error result for the model; tests of that
 * path run a real Agent (see knowledge-base.test.ts).
 */
export async function callTool(tool: Tool, input: unknown, signal: AbortSignal = new AbortController().signal) {
  const parsed = await tool.parseInput(input);
  if (!parsed.ok) return { ok: false as const, error: new Error(parsed.message) as Error & { code?: string } };
  try {
    const value = await tool.execute(parsed.value, {
      signal,
      toolUseId: 'tooluse_test',
      runId: 'run',
      sessionId: 'session',
      stepIndex: 0,
      session: { attributes: {}, set: () => undefined },
    });
    return { ok: true as const, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false as const, error: error as Error & { code?: string } };
  }
}

/** The value a call returned; fails the test with the error otherwise. */
export async function callOk(tool: Tool, input: unknown): Promise<Record<string, unknown>> {
  const result = await callTool(tool, input);
  if (!result.ok) throw new Error(`expected success, got ${result.error.message}`);
  return result.value;
}

/** The error a call threw; fails the test if it succeeded. */
export async function callError(tool: Tool, input: unknown): Promise<Error & { code?: string }> {
  const result = await callTool(tool, input);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}
