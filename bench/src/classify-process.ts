// Scenario 8's child: `classify()` or the hand-written raw SDK call it is compared with, in a process
// of its own, on the same transport (novaloop's keep-alive client, made once). Prints one JSON line:
// CPU and wall time per call over `calls` sequential calls, after `warmup` untimed ones.
import { ConverseCommand, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { classify, createBedrockClient } from '@novaloop/core';
import { performance } from 'node:perf_hooks';
import { CLASSIFY_LABELS, CLASSIFY_MODEL, CLASSIFY_TEXTS, rawClassifyBody } from './scenarios/classify-overhead.js';

export interface ClassifyJob {
  variant: 'classify' | 'raw';
  endpoint: string;
  warmup: number;
  calls: number;
}

export interface ClassifyProcessResult {
  cpuUsPerCall: number;
  wallUsPerCall: number;
}

const job = JSON.parse(process.argv[2] ?? '') as ClassifyJob;
const client = createBedrockClient({
  endpoint: job.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});

/** What a careful hand-written caller does: the same body, then read and check the forced tool's answer. */
async function rawClassify(text: string): Promise<string> {
  const input: ConverseCommandInput = rawClassifyBody(text);
  const output = await client.send(new ConverseCommand(input));
  const use = output.output?.message?.content?.find((block) => block.toolUse?.name === 'classify')?.toolUse;
  const label = (use?.input as { label?: unknown } | undefined)?.label;
  if (typeof label !== 'string' || !(CLASSIFY_LABELS as readonly string[]).includes(label))
    throw new Error(`raw: bad label ${String(label)}`);
  return label;
}

const once = async (i: number): Promise<string> => {
  const text = CLASSIFY_TEXTS[i % CLASSIFY_TEXTS.length] as string;
  if (job.variant === 'raw') return rawClassify(text);
  return (await classify(text, { labels: CLASSIFY_LABELS, model: CLASSIFY_MODEL, client })).label;
};

for (let i = 0; i < job.warmup; i++) await once(i);
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
for (let i = 0; i < job.calls; i++) await once(i);
const cpu = process.cpuUsage(cpuBefore);
const wallMs = performance.now() - wallBefore;
client.destroy();
const result: ClassifyProcessResult = { cpuUsPerCall: (cpu.user + cpu.system) / job.calls, wallUsPerCall: (wallMs * 1000) / job.calls };
console.log(JSON.stringify(result));
