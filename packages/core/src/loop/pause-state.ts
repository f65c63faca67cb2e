import type { Message, ToolResultBlock } from '@aws-sdk/client-bedrock-runtime';
import { randomUUID } from 'node:crypto';
import type { PendingCall, PendingState } from '../session/session-store.js';
import type { PausedCall } from './collaborator-pause.js';

/** Where a pause happens: the step whose assistant message waits, and what of it is answered already. */
export interface PausePoint {
  runId: string;
  stepIndex: number;
  message: Message;
  results: ToolResultBlock[];
  route?: string | undefined;
}

/**
 * The pending state of a pause: the run's own waiting calls, and the calls of every collaborator
 * its calls wait on, all for the application to answer. Made by the step that pauses, and by a
 * resume whose collaborator paused again (a new invocation, so answers to the old one are refused).
 */
export function pauseState(
  point: PausePoint,
  own: readonly Omit<PendingCall, 'invocationId'>[],
  waiting: readonly PausedCall[],
): PendingState {
  const invocationId = randomUUID();
  const calls: PendingCall[] = [...own.map((call) => ({ invocationId, ...call })), ...waiting.flatMap((paused) => paused.calls)];
  return {
    invocationId,
    runId: point.runId,
    stopReason: pausedBy(calls) ?? 'needs_approval',
    stepIndex: point.stepIndex,
    message: point.message,
    results: point.results,
    calls,
    pausedAt: new Date().toISOString(),
    ...(point.route !== undefined ? { route: point.route } : {}),
    ...(waiting.length > 0 ? { collaborators: waiting.map((paused) => paused.wait) } : {}),
  };
}

/** A pause's stop reason: 'return_control' when any call waits on a result, else 'needs_approval'. */
export function pausedBy(calls: readonly Pick<PendingCall, 'kind'>[]): 'return_control' | 'needs_approval' | undefined {
  if (calls.length === 0) return undefined;
  return calls.some((call) => call.kind === 'return_control') ? 'return_control' : 'needs_approval';
}
