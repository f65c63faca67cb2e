import { costOf } from '@novaloop/core';
import { emptyUsage, type SingleCall } from '@novaloop/core/batch-support';
import { batchPrice } from './pricing.js';
import { modelInputOf } from './task.js';
import type { BatchEstimate } from './types.js';

/**
 * Tokens and cost before anything is sent: each record's request at about 4 characters a token (what
 * the service counts is close for English text), a typical answer for the task kind, and the worst
 * case of every answer at maxTokens.
 */
export function estimate(calls: readonly SingleCall<unknown>[], typicalOutputTokens: number, mode: BatchEstimate['mode']): BatchEstimate {
  let inputTokens = 0;
  let maxOutput = 0;
  for (const call of calls) {
    inputTokens += Math.ceil(JSON.stringify(modelInputOf(call)).length / 4);
    maxOutput += call.request.inference.maxTokens ?? typicalOutputTokens;
  }
  const outputTokens = calls.reduce(
    (n, call) => n + Math.min(typicalOutputTokens, call.request.inference.maxTokens ?? typicalOutputTokens),
    0,
  );
  const listPrice = calls[0]?.request.price;
  const price = mode === 'bedrock-batch' ? batchPrice(listPrice) : listPrice;
  const usage = (output: number) => ({ ...emptyUsage(), inputTokens, outputTokens: output, totalTokens: inputTokens + output });
  return {
    records: calls.length,
    inputTokens,
    outputTokens,
    costUsd: costOf(usage(outputTokens), price),
    maxCostUsd: costOf(usage(maxOutput), price),
    mode,
  };
}
