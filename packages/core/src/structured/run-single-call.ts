import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { RunTotals } from '../loop/run-totals.js';
import type { Usage } from '../model/usage.js';
import { callOutsideRun, type SingleCall } from './forced-tool.js';

export interface SingleCallResult<T> {
  value: T;
  usage: Usage;
  costUsd: number | undefined;
  latencyMs: number;
}

/**
 * Sends a prepared call through the one model-call driver (its retries, tool-use repairs, pricing)
 * on `client`, and parses the answer. Throws the driver's `BedrockRequestError`s and the call's parse
 * errors; `call.retry` decides how many attempts a transient failure gets.
 */
export async function runSingleCall<T>(
  call: SingleCall<T>,
  client: BedrockRuntimeClient,
  signal: AbortSignal = new AbortController().signal,
): Promise<SingleCallResult<T>> {
  const started = performance.now();
  const totals = new RunTotals(call.request.price !== undefined);
  const answer = await callOutsideRun({ client, stream: false, retry: call.retry, random: Math.random }, call.request, signal, totals);
  const value = await call.parse(answer.turn.message);
  return { value, usage: totals.usage, costUsd: totals.costUsd, latencyMs: Math.round(performance.now() - started) };
}
