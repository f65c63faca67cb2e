import { describe, expect, it } from 'vitest';
import { classifyError } from './classify-error.js';
import { backoffDelay, resolveRetry, sleep } from './retry-policy.js';

describe('backoff', () => {
  const policy = resolveRetry({ baseDelayMs: 100, maxDelayMs: 1_000 });

  it('draws uniformly from 0 to an exponential bound capped at maxDelayMs (full jitter)', () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, policy, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(100);
  });

  it('defaults to 4 attempts, 500 ms base, 20 s cap', () => {
    expect(resolveRetry(undefined)).toEqual({ maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 20_000 });
  });

  it('sleep rejects at once when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(sleep(1, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });
});

describe('classifyError', () => {
  const sdkError = (name: string, status: number, message = 'x') =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: 'server' });

  it('retries throttling, 5xx and broken connections; not validation or access errors', () => {
    expect(classifyError(sdkError('ThrottlingException', 429)).kind).toBe('transient');
    expect(classifyError(sdkError('ServiceUnavailableException', 503)).kind).toBe('transient');
    expect(classifyError(sdkError('SomethingNew', 502)).kind).toBe('transient');
    expect(classifyError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toMatchObject({
      kind: 'transient',
      code: 'ECONNRESET',
    });
    expect(classifyError(sdkError('ValidationException', 400)).kind).toBe('fatal');
    expect(classifyError(sdkError('AccessDeniedException', 403)).kind).toBe('fatal');
  });

  it("recognises Nova's tool-use failure and the context window error", () => {
    expect(
      classifyError(sdkError('ModelErrorException', 424, 'The model produced an invalid sequence as part of ToolUse. Please refer to …'))
        .kind,
    ).toBe('tool-use');
    expect(classifyError(sdkError('ValidationException', 400, 'Input is too long for requested model.')).kind).toBe('context-window');
  });
});
