import { join } from 'node:path';
import { tool } from '@novaloop/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildRunViews, jsonlTraceSink, readTraceFile } from '../src/index.js';
import { say, useKit, useTool } from './helpers.js';

describe('the viewer model of a paused run', () => {
  const { start, agentOn, tempDir } = useKit();

  it('shows the waiting call as a tool that has not ended, and the approval question is not taken for the answer', async () => {
    const server = await start({ script: { turns: [useTool('restart_service', { service: 'prod-api' }), say('Restarted.')] } });
    const restart = tool({
      name: 'restart_service',
      description: 'Restart a service',
      input: z.object({ service: z.string() }),
      needsApproval: true,
      run: () => 'ok',
    });
    const agent = agentOn(server, { tools: [restart] });
    const path = join(tempDir(), 'paused.jsonl');
    const sink = jsonlTraceSink(path);
    sink.attach(agent);
    await agent.run('Restart prod-api');
    await sink.close();
    const { lines } = await readTraceFile(path);
    const [run] = buildRunViews(lines);
    expect(run?.answer).toBeNull();
    expect(run?.steps[0]?.answer).toBeNull();
    expect(run?.steps[0]?.tools.map((t) => [t.name, t.end])).toEqual([['restart_service', null]]);
  });

  it("a pause inside a collaborator: the collaborator's call waits, and neither run has an answer", async () => {
    const lite = 'us.amazon.nova-lite-v1:0';
    const server = await start({
      responder: (call) =>
        call.modelId === lite ? useTool('restart_service', { service: 'prod-api' }) : useTool('ops', { request: 'Restart' }),
    });
    const restart = tool({
      name: 'restart_service',
      description: 'Restart a service',
      input: z.object({ service: z.string() }),
      needsApproval: true,
      run: () => 'ok',
    });
    const ops = agentOn(server, { model: lite, tools: [restart] });
    const supervisor = agentOn(server, { tools: [ops.asTool({ name: 'ops', description: 'Runs operations' })] });
    const path = join(tempDir(), 'collaborator-paused.jsonl');
    const sink = jsonlTraceSink(path);
    sink.attach(supervisor);
    const paused = await supervisor.run('Restart prod-api');
    await sink.close();
    const { lines } = await readTraceFile(path);
    const runs = buildRunViews(lines);
    const mine = runs.find((run) => run.id === paused.runId);
    const nested = runs.find((run) => run.id !== paused.runId);
    expect(mine?.answer).toBeNull();
    expect(mine?.steps[0]?.answer).toBeNull();
    expect(nested?.answer).toBeNull();
    expect(nested?.steps[0]?.tools.map((t) => [t.name, t.end])).toEqual([['restart_service', null]]);
  });
});
