/** A failure bedrock-local can be told to produce. */
export type Fault =
  /** 429 ThrottlingException (the SDK retries it). */
  | { kind: 'throttling' }
  /** 503 ServiceUnavailableException (retried). */
  | { kind: 'service-unavailable' }
  /** 500 InternalServerException (retried). */
  | { kind: 'internal-error' }
  /** 424 ModelErrorException with Nova's "invalid sequence as part of ToolUse" text (not retried). */
  | { kind: 'model-error' }
  /** The TCP connection is destroyed once the request has been read: no response at all. */
  | { kind: 'drop-connection' }
  /** Added latency before the response; combines with any other fault. */
  | { kind: 'latency'; ms: number }
  /** ConverseStream only: an exception frame after `afterEvents` events, then the stream ends. */
  | { kind: 'stream-exception'; afterEvents: number; exception?: StreamExceptionType; message?: string }
  /** ConverseStream only: after `afterEvents` events, half a frame is written and the connection dropped. */
  | { kind: 'stream-cut'; afterEvents: number };

export type StreamExceptionType =
  'throttlingException' | 'modelStreamErrorException' | 'internalServerException' | 'serviceUnavailableException' | 'validationException';

export interface FaultRule {
  fault: Fault;
  /** Hit exactly these requests, numbered from 1 in arrival order over the server's life (see `requests[i].seq`). */
  requests?: readonly number[];
  /** Otherwise hit the next `times` matching requests (default 1; `Infinity` for every one). */
  times?: number;
  /** Only requests for this model: as sent (`us.amazon.nova-pro-v1:0`) or its foundation-model id. */
  model?: string;
  /** Only this route. Stream faults only ever apply to `converse-stream`. */
  route?: 'converse' | 'converse-stream';
}

export type FaultPlan = FaultRule | readonly FaultRule[];

export interface RequestFaults {
  latencyMs: number;
  /** The first matching fault that is not latency, if any. */
  fault?: Exclude<Fault, { kind: 'latency' }>;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

const isStreamFault = (fault: Fault) => fault.kind === 'stream-exception' || fault.kind === 'stream-cut';

export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(plan: FaultPlan): void {
    const rules: readonly FaultRule[] = Array.isArray(plan) ? plan : [plan as FaultRule];
    for (const rule of rules) this.rules.push({ rule, remaining: rule.requests ? Infinity : (rule.times ?? 1) });
  }

  clear(): void {
    this.rules = [];
  }

  /** Picks the faults for one request and consumes the rules it used. */
  take(seq: number, route: 'converse' | 'converse-stream', modelId: string, foundationModelId: string | undefined): RequestFaults {
    const result: RequestFaults = { latencyMs: 0 };
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (rule.requests && !rule.requests.includes(seq)) continue;
      if (rule.route && rule.route !== route) continue;
      if (isStreamFault(rule.fault) && route !== 'converse-stream') continue;
      if (rule.model && rule.model !== modelId && rule.model !== foundationModelId) continue;
      if (rule.fault.kind === 'latency') {
        result.latencyMs += rule.fault.ms;
      } else if (result.fault) {
        continue;
      } else {
        result.fault = rule.fault;
      }
      active.remaining -= 1;
    }
    this.rules = this.rules.filter((active) => active.remaining > 0);
    return result;
  }
}
