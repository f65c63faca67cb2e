import type { SessionAttributes, Tool } from '@novaloop/core';

export type TryToolResult = { status: 'success'; output: unknown } | { status: 'error'; code: string | undefined; message: string };

/**
 * Calls a tool outside an agent, to try it or to script it: validates `input` with the tool's
 * schema, runs it, and returns its output, or the error the model would have been told.
 */
export async function tryTool(tool: Tool, input: unknown, options: { signal?: AbortSignal } = {}): Promise<TryToolResult> {
  const parsed = await tool.parseInput(input);
  if (!parsed.ok) return { status: 'error', code: 'INVALID_INPUT', message: parsed.message };
  const attributes: SessionAttributes = {};
  try {
    const output = await tool.execute(parsed.value, {
      signal: options.signal ?? new AbortController().signal,
      toolUseId: 'tooluse_tryTool',
      runId: 'tryTool',
      sessionId: 'tryTool',
      stepIndex: 0,
      session: {
        attributes,
        set: (key, value) => {
          if (value === undefined) delete attributes[key];
          else attributes[key] = value;
        },
      },
    });
    return { status: 'success', output };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      status: 'error',
      code: typeof code === 'string' ? code : undefined,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}
