import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { RunTotals } from '../loop/run-totals.js';
import { sdkWire } from '../model/converse-wire.js';
import type { Usage } from '../model/usage.js';
import { callOutsideRun, type SingleCall } from './forced-tool.js';

export type SingleCallResult<T> = { usage: Usage; costUsd: number | undefined; latencyMs: number } & (
  | { ok: true; value: T }
  /** The answer was billed (usage, cost) but did not parse: `error` is the call's typed error. */
  | { ok: false; error: unknown }
);

/**
 * Sends a prepared call through the one model-call driver (its retries, tool-use repairs, pricing)
 * on `client`, and parses the answer. An answer that does not parse is `ok: false` with its usage, since
 * it was billed; a request that failed throws the driver's `BedrockRequestError`. `call.retry` decides
 * how many attempts a transient failure gets.
 */
export async function runSingleCall<T>(
  call: SingleCall<T>,
  client: BedrockRuntimeClient,
  signal: AbortSignal = new AbortController().signal,
): Promise<SingleCallResult<T>> {
  const started = performance.now();
  const totals = new RunTotals(call.request.price !== undefined);
  const answer = await callOutsideRun(
    { wire: sdkWire(client, false), stream: false, retry: call.retry, random: Math.random },
    call.request,
    signal,
    totals,
  );
  const spent = { usage: totals.usage, costUsd: totals.costUsd, latencyMs: Math.round(performance.now() - started) };
  try {
    return { ok: true, value: await call.parse(answer.turn.message), ...spent };
  } catch (error) {
    return { ok: false, error, ...spent };
  }
}
