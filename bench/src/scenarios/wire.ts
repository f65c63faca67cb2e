// Scenario 5: what goes over the wire. Every variant has the same conversations with a recording
// bedrock-local, and each model call's body is compared with raw-default's: its size in bytes, the
// input tokens bedrock-local charged for it, and the body itself (tool-use ids, which the server
// makes up afresh for every response, aside).
import type { LocalBedrock, RecordedRequest } from '@novaloop/bedrock-local';
import { sum } from '../stats.js';
import { openRunner, type Variant } from '../variants.js';
import { INFRA_MODEL_CALLS, INFRA_QUESTION, longRunQuestion, SYSTEM } from '../workload.js';

export interface WireFigures {
  variant: Variant;
  conversation: string;
  modelCalls: number;
  /** Per model call, in order. */
  bytes: number[];
  inputTokens: number[];
  outputTokens: number[];
  bytesVsRawDefault: number;
  inputTokensVsRawDefault: number;
  /** Every body equal to raw-default's, tool-use ids aside. */
  sameBodies: boolean;
  /** Where the first body that differs differs, e.g. `calls[1].messages[2].content[0].toolResult.status`. */
  firstDifference: string | undefined;
  connectionsOpened: number;
}

export interface WireServers {
  /** Plays the infrastructure script, recording requests. */
  infra: LocalBedrock;
  /** Answers with the long-run responder, recording requests. */
  longRun: LocalBedrock;
}

export async function wire(variants: readonly Variant[], servers: WireServers, longRunCalls: number): Promise<WireFigures[]> {
  const conversations = [
    { name: `infra-assistant (${INFRA_MODEL_CALLS} calls)`, server: servers.infra, question: INFRA_QUESTION, calls: INFRA_MODEL_CALLS },
    { name: `long run (${longRunCalls} calls)`, server: servers.longRun, question: longRunQuestion(longRunCalls), calls: longRunCalls },
  ];
  const figures: WireFigures[] = [];
  for (const conversation of conversations) {
    const recorded = new Map<Variant, { requests: RecordedRequest[]; connections: number }>();
    for (const variant of variants) {
      const { server } = conversation;
      const from = server.requests.length;
      const connections = server.connectionsOpened;
      const runner = await openRunner(variant, { endpoint: server.endpoint, system: SYSTEM, maxSteps: conversation.calls + 1 });
      try {
        await runner.run(conversation.question);
      } finally {
        runner.close();
      }
      recorded.set(variant, { requests: server.requests.slice(from), connections: server.connectionsOpened - connections });
    }
    const base = recorded.get('raw-default')?.requests ?? [];
    for (const variant of variants) {
      const { requests, connections } = recorded.get(variant) ?? { requests: [], connections: 0 };
      const bytes = requests.map((r) => r.bytes);
      const inputTokens = requests.map((r) => r.usage?.inputTokens ?? NaN);
      const difference = firstDifference(normalise(base.map((r) => r.body)), normalise(requests.map((r) => r.body)), 'calls');
      figures.push({
        variant,
        conversation: conversation.name,
        modelCalls: requests.length,
        bytes,
        inputTokens,
        outputTokens: requests.map((r) => r.usage?.outputTokens ?? NaN),
        bytesVsRawDefault: sum(bytes) / sum(base.map((r) => r.bytes)),
        inputTokensVsRawDefault: sum(inputTokens) / sum(base.map((r) => r.usage?.inputTokens ?? NaN)),
        sameBodies: difference === undefined,
        firstDifference: difference,
        connectionsOpened: connections,
      });
    }
  }
  return figures;
}

/** The bodies with every tool-use id replaced by one placeholder of the same length. */
const normalise = (bodies: unknown[]): unknown =>
  JSON.parse(JSON.stringify(bodies).replace(/tooluse_[A-Za-z0-9_-]{22}/g, `tooluse_${'x'.repeat(22)}`));

function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return path;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const at = Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`;
    const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], at);
    if (found !== undefined) return found;
  }
  return undefined;
}
