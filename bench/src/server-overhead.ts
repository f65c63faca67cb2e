// How much of a benchmark's time is bedrock-local itself: per-request latency of the raw AWS SDK
// (Converse and ConverseStream over HTTP/2) and of fetch (HTTP/1.1) against bedrock-local with 0 ms
// model latency. Later benchmarks compare clients on this server; this tells how small its share is.
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { startLocalBedrock, type LocalBedrock } from '@novaloop/bedrock-local';
import { performance } from 'node:perf_hooks';
import { percentile } from './stats.js';

export interface OverheadFigures {
  variant: string;
  requests: number;
  medianMs: number;
  p95Ms: number;
  requestsPerSecond: number;
}

const MODEL = 'us.amazon.nova-pro-v1:0';
const messages = [{ role: 'user' as const, content: [{ text: 'How many failed ECS tasks do we have in the last hour?' }] }];
const script = {
  turns: [{ content: [{ text: 'There were 7 failed ECS tasks in the last hour: 5 in payments-api and 2 in report-worker.' }] }],
};

async function measure(variant: string, count: number, warmup: number, once: () => Promise<unknown>): Promise<OverheadFigures> {
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await once();
    times.push(performance.now() - t);
  }
  const wall = performance.now() - started;
  times.sort((a, b) => a - b);
  return {
    variant,
    requests: count,
    medianMs: percentile(times, 50),
    p95Ms: percentile(times, 95),
    requestsPerSecond: (count / wall) * 1000,
  };
}

export async function serverOverhead(options: { requests: number; warmup: number }): Promise<OverheadFigures[]> {
  const server: LocalBedrock = await startLocalBedrock({ script, recordRequests: false });
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const results: OverheadFigures[] = [];
    results.push(
      await measure('sdk converse (h2)', options.requests, options.warmup, () =>
        client.send(new ConverseCommand({ modelId: MODEL, messages })),
      ),
    );
    results.push(
      await measure('sdk converse-stream (h2)', options.requests, options.warmup, async () => {
        const response = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages }));
        for await (const _event of response.stream ?? []) {
          // drain
        }
      }),
    );
    const url = `${server.endpoint}/model/${encodeURIComponent(MODEL)}/converse`;
    const body = JSON.stringify({ messages });
    results.push(
      await measure('fetch converse (http/1.1)', options.requests, options.warmup, async () => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
          body,
        });
        await response.arrayBuffer();
      }),
    );
    return results;
  } finally {
    client.destroy();
    await server.close();
  }
}
