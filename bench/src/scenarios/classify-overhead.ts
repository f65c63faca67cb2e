// Scenario 8: the client CPU of `classify()` against a hand-written raw-SDK Converse call with the same
// body on the same transport (novaloop's keep-alive client), each in processes of its own (see
// classify-process.ts), the order alternating per round. bedrock-local answers from keyword rules in
// this process, so the children's CPU is the client's alone.
import type { ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { startLocalBedrock } from '@novaloop/bedrock-local';
import type { ClassifyJob, ClassifyProcessResult } from '../classify-process.js';
import { runJsonScript } from '../child.js';
import { median } from '../stats.js';
import { TICKET_RULES } from '../workload.js';

export const CLASSIFY_MODEL = 'us.amazon.nova-micro-v1:0';
export const CLASSIFY_LABELS = ['BILLING', 'TECHNICAL', 'SHIPPING', 'RETURNS', 'OTHER'] as const;
export const CLASSIFY_TEXTS = [
  'I was charged twice for my order, please refund one.',
  'Where is my parcel? Tracking has not moved since Monday.',
  'The app crashes when I open the settings page.',
  'The shoes are the wrong size, how do I exchange them?',
  'Do you have a store in Lyon?',
];
// What classify() sends by default (packages/core/src/structured/classify.ts), written out by hand.
const INSTRUCTIONS = 'Classify the text. Call the classify tool with the one label that fits best.';
const TOOL = {
  toolSpec: {
    name: 'classify',
    description: 'Records the label that fits the text.',
    inputSchema: { json: { type: 'object', properties: { label: { type: 'string', enum: [...CLASSIFY_LABELS] } }, required: ['label'] } },
  },
};

/** The raw call's body: the same bytes classify() sends. */
export const rawClassifyBody = (text: string): ConverseCommandInput => ({
  modelId: CLASSIFY_MODEL,
  messages: [{ role: 'user', content: [{ text }] }],
  system: [{ text: INSTRUCTIONS }],
  toolConfig: { tools: [TOOL], toolChoice: { tool: { name: 'classify' } } },
  inferenceConfig: { maxTokens: 100, temperature: 0 },
  additionalModelRequestFields: { inferenceConfig: { topK: 1 } },
});

export interface ClassifyFigures {
  variant: 'classify' | 'raw';
  label: string;
  processes: number;
  calls: number;
  /** Medians over the processes. */
  cpuUsPerCall: number;
  wallUsPerCall: number;
  /** Whether both variants sent identical bodies (checked on one call each). */
  sameBody: boolean;
}

export async function classifyOverhead(counts: { rounds: number; warmup: number; calls: number }): Promise<ClassifyFigures[]> {
  const server = await startLocalBedrock({ script: TICKET_RULES, recordRequests: false });
  const check = await startLocalBedrock({ script: TICKET_RULES });
  try {
    // One call of each on a recording server: the bodies must be the same, or the comparison means nothing.
    for (const variant of ['classify', 'raw'] as const) {
      await runJsonScript<ClassifyProcessResult>('classify-process', {
        variant,
        endpoint: check.endpoint,
        warmup: 0,
        calls: 1,
      } satisfies ClassifyJob);
    }
    const [classified, raw] = check.requests.map((request) => JSON.stringify(request.body));
    const sameBody = classified !== undefined && classified === raw;

    const samples: Record<ClassifyFigures['variant'], ClassifyProcessResult[]> = { classify: [], raw: [] };
    for (let round = 0; round < counts.rounds; round++) {
      const order = round % 2 === 0 ? (['raw', 'classify'] as const) : (['classify', 'raw'] as const);
      for (const variant of order) {
        const job: ClassifyJob = { variant, endpoint: server.endpoint, warmup: counts.warmup, calls: counts.calls };
        samples[variant].push((await runJsonScript<ClassifyProcessResult>('classify-process', job)).value);
      }
    }
    return (['raw', 'classify'] as const).map((variant) => ({
      variant,
      label: variant === 'raw' ? 'raw SDK Converse (same body, same client)' : 'novaloop classify()',
      processes: samples[variant].length,
      calls: counts.calls,
      cpuUsPerCall: median(samples[variant].map((s) => s.cpuUsPerCall)),
      wallUsPerCall: median(samples[variant].map((s) => s.wallUsPerCall)),
      sameBody,
    }));
  } finally {
    await Promise.all([server.close(), check.close()]);
  }
}
