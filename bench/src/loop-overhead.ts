// `node bench/dist/loop-overhead.js [runs]`: novaloop's own CPU per run, without the wire. The agent
// runs the infra conversation once against bedrock-local to record its three answers, then its wire
// is replaced by one that hands the recorded answers back at once (Converse responses, or the
// ConverseStream events through an async generator). What is left is the loop: events, the trace's
// bookkeeping, tool dispatch and validation, usage and cost, the step's records. Each mode runs in
// this process after 3,000 warm-up runs; the CPU includes the GC and JIT threads (process.cpuUsage).
// A diagnostic for changes to the loop: the figures move with the machine, compare builds in one go.
import { performance } from 'node:perf_hooks';
import { startLocalBedrock } from '@novaloop/bedrock-local';
import type { Agent } from '@novaloop/core';
import { infraAgent } from './novaloop-agent.js';
import { INFRA_QUESTION, INFRA_SCRIPT, SYSTEM } from './workload.js';

/** The part of the agent's wire replaced here (internal to core: this is a diagnostic, not an API). */
interface Wire {
  converse(request: unknown, signal: AbortSignal): Promise<unknown>;
  converseStream(request: unknown, signal: AbortSignal): Promise<AsyncIterable<unknown>>;
}

const runs = Number(process.argv[2] ?? '20000');
const server = await startLocalBedrock({ script: INFRA_SCRIPT, recordRequests: false });
try {
  for (const stream of [false, true]) {
    const agent = infraAgent({ endpoint: server.endpoint, stream, system: SYSTEM, maxSteps: 4 });
    const wire = (agent as unknown as { config: { transport: { wire: Wire } } }).config.transport.wire;
    const recorded: unknown[] = [];
    const converse = wire.converse.bind(wire);
    const converseStream = wire.converseStream.bind(wire);
    wire.converse = async (request, signal) => {
      const response = await converse(request, signal);
      recorded.push(response);
      return response;
    };
    wire.converseStream = async (request, signal) => {
      const events: unknown[] = [];
      for await (const event of await converseStream(request, signal)) events.push(event);
      recorded.push(events);
      return replay(events);
    };
    await agent.run(INFRA_QUESTION);
    let next = 0;
    wire.converse = async () => recorded[next++ % recorded.length];
    wire.converseStream = async () => replay(recorded[next++ % recorded.length] as unknown[]);
    const figures = await measure(agent, runs);
    console.log(
      `${stream ? 'streaming   ' : 'stream:false'}  ${runs} runs after 3000 warm-up: CPU ${figures.cpuUs.toFixed(1)} µs/run, wall ${figures.wallUs.toFixed(1)} µs/run`,
    );
    agent.close();
  }
} finally {
  await server.close();
}

async function* replay(events: unknown[]): AsyncGenerator<unknown> {
  for (const event of events) yield event;
}

async function measure(agent: Agent, count: number): Promise<{ cpuUs: number; wallUs: number }> {
  for (let i = 0; i < 3000; i++) await check(agent);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i++) await check(agent);
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / count, wallUs: ((performance.now() - started) * 1000) / count };
}

async function check(agent: Agent): Promise<void> {
  const result = await agent.run(INFRA_QUESTION);
  if (result.steps.length !== 3 || !result.text) throw new Error(`expected 3 steps and an answer, got ${result.steps.length}`);
}
