import { isNovaloopError } from '@novaloop/core';
import type { RecordError } from './types.js';

/** A record's failure as results and checkpoints keep it: the error's code, message and service code. */
export function recordError(error: unknown): RecordError {
  if (isNovaloopError(error)) {
    const serviceCode = (error as { bedrockCode?: unknown }).bedrockCode;
    return { code: error.code, message: error.message, ...(typeof serviceCode === 'string' ? { serviceCode } : {}) };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/** How online mode treats a failed attempt: throttled (slow down and retry), transient (retry), or final. */
export function failureKind(error: unknown): 'throttled' | 'transient' | 'final' {
  if (!isNovaloopError(error) || error.code !== 'BEDROCK_RETRIES_EXHAUSTED') return 'final';
  const code = (error as { bedrockCode?: unknown }).bedrockCode;
  return code === 'ThrottlingException' || code === 'ModelNotReadyException' || code === 'ServiceQuotaExceededException'
    ? 'throttled'
    : 'transient';
}
