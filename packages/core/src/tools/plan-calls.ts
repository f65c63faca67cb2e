import type { ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import type { PendingCall } from '../session/session-store.js';
import type { Tool, ToolContext } from './tool.js';

export interface CallPlan {
  /** Calls the agent runs now (invalid input included: the dispatcher answers it with an error). */
  run: ToolUseBlock[];
  /** Calls that wait on the application, with their validated input. */
  pending: Omit<PendingCall, 'invocationId'>[];
}

/** Whether any of these calls is of a tool that returns control or needs approval (else all of them run). */
export function mayPause(uses: readonly ToolUseBlock[], tools: ReadonlyMap<string, Tool>): boolean {
  for (const use of uses) {
    const tool = tools.get(use.name ?? '');
    if (tool && (tool.returnControl || tool.needsApproval)) return true;
  }
  return false;
}

/**
 * Splits one turn's tool calls into those the agent runs and those that pause the run: calls of a
 * tool that returns control, and calls that need approval. Only a call whose input is valid can
 * pause; an invalid one goes back to the model as an error, like any other call.
 */
export async function planCalls(
  uses: readonly ToolUseBlock[],
  tools: ReadonlyMap<string, Tool>,
  context: Omit<ToolContext, 'toolUseId'>,
): Promise<CallPlan> {
  const plan: CallPlan = { run: [], pending: [] };
  for (const use of uses) {
    const tool = tools.get(use.name ?? '');
    if (!tool || (!tool.returnControl && !tool.needsApproval)) {
      plan.run.push(use);
      continue;
    }
    const parsed = await tool.parseInput(use.input);
    const toolUseId = use.toolUseId ?? '';
    if (!parsed.ok) {
      plan.run.push(use);
    } else if (tool.returnControl) {
      plan.pending.push({ toolUseId, name: tool.name, input: parsed.value, kind: 'return_control' });
    } else if (await tool.needsApproval?.(parsed.value, { ...context, toolUseId })) {
      plan.pending.push({ toolUseId, name: tool.name, input: parsed.value, kind: 'approval' });
    } else {
      plan.run.push(use);
    }
  }
  return plan;
}
