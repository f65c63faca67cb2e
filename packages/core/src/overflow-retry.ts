import { callModel, type ModelCallConfig, type StepCall, type StepTurn } from './call-model.js';
import type { ContextWindowState } from './context-window-state.js';
import { ContextWindowExceededError } from './errors.js';
import type { AgentEvent } from './events.js';
import { addUsage, emptyUsage } from './usage.js';

/**
 * The step's model call. When the model refuses the input as too long and a context policy is set,
 * the policy is asked once to send less and the call is made again; the refused call's tokens are
 * counted in the step's usage.
 */
export async function* callModelWithOverflowRetry(
  config: ModelCallConfig,
  conversation: ContextWindowState,
  call: Omit<StepCall, 'messages' | 'window'>,
): AsyncGenerator<AgentEvent, StepTurn | 'aborted'> {
  const overflowUsage = emptyUsage();
  let trimmedForOverflow = false;
  let called!: StepTurn | 'aborted';
  for (;;) {
    let overflow: ContextWindowExceededError | undefined;
    try {
      called = yield* callModel(config, { ...call, messages: conversation.sent, window: conversation.sentWindow() });
    } catch (error) {
      if (!(error instanceof ContextWindowExceededError)) throw error;
      overflow = error;
    }
    if (!overflow && called !== 'aborted' && called.turn.stopReason === 'model_context_window_exceeded') {
      addUsage(overflowUsage, called.usage);
      overflow = new ContextWindowExceededError(`${config.modelId} stopped with model_context_window_exceeded.`);
    }
    if (!overflow) break;
    if (!conversation.hasPolicy || trimmedForOverflow) throw overflow;
    trimmedForOverflow = true;
    const shrank = yield* conversation.choose('overflow', call.stepIndex);
    if (!shrank) {
      throw new ContextWindowExceededError(
        `${overflow.message.replace(/\s*Start a new session.*$/, '')} The context policy could not send less.`,
        {
          cause: overflow,
        },
      );
    }
    yield {
      type: 'retry',
      runId: call.runId,
      sessionId: call.sessionId,
      stepIndex: call.stepIndex,
      reason: 'context-window',
      attempt: 2,
      delayMs: 0,
      error: { code: overflow.code, message: overflow.message },
    };
  }
  if (called !== 'aborted') addUsage(called.usage, overflowUsage);
  return called;
}
