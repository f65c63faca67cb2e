import type { Agent, AgentEvent, TracePart } from '@novaloop/core';

/** What a sink, the console view or OpenTelemetry hears from an agent: its events, and trace parts in order with them. */
export type Heard = Exclude<AgentEvent, { type: 'trace' }> | { type: 'trace'; runId: string; sessionId: string; part: TracePart };

/** Anything with an agent's `events` emitter (an `Agent`, or a wrapper exposing its emitter). */
export type Traceable = Pick<Agent, 'events'>;

const TYPES = [
  'run-start',
  'step-start',
  'model-request',
  'model-response',
  'route',
  'rationale',
  'retry',
  'tool-start',
  'tool-end',
  'pause',
  'resume',
  'collaborator-trace',
  'step-end',
  'trace',
  'error',
  'run-end',
] as const;

/**
 * Subscribes `listener` to the events a trace needs; returns the function that unsubscribes it.
 * Text and tool-input deltas are left out: a trace records whole values, and listening to deltas would
 * cost every streamed token a call.
 */
export function listen(agent: Traceable, listener: (event: Heard) => void): () => void {
  const events = agent.events as unknown as {
    on(type: string, fn: (value: unknown) => void): unknown;
    off(type: string, fn: (value: unknown) => void): unknown;
  };
  const handlers = TYPES.map((type) => {
    const fn =
      type === 'trace'
        ? (value: unknown) => {
            const part = value as TracePart;
            listener({ type: 'trace', runId: part.runId, sessionId: part.sessionId, part });
          }
        : (value: unknown) => listener(value as Heard);
    events.on(type, fn);
    return [type, fn] as const;
  });
  let attached = true;
  return () => {
    if (!attached) return;
    attached = false;
    for (const [type, fn] of handlers) events.off(type, fn);
  };
}
