import { join } from 'node:path';
import { tool } from '@novaloop/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildRunViews, jsonlTraceSink, readTraceFile } from '../src/index.js';
import { say, useKit, useTool } from './helpers.js';
import { multiAgent, nestedCollaborators, SUPPORT_QUESTION } from './scenarios.js';

describe('the viewer model of a paused run', () => {
  const kit = useKit();
  const { start, agentOn, tempDir } = kit;

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

  it("hangs a collaborator off the supervisor's run when its call is not in the file, and keeps it top-level without its supervisor", async () => {
    const { supervisor } = await multiAgent(kit);
    const path = join(tempDir(), 'multi.jsonl');
    const sink = jsonlTraceSink(path);
    sink.attach(supervisor);
    const result = await supervisor.run(SUPPORT_QUESTION);
    await sink.close();
    const { lines } = await readTraceFile(path);

    const [whole, ...rest] = buildRunViews(lines);
    expect(rest).toEqual([]);
    const calls = whole!.steps[0]!.tools;
    expect(calls.map((call) => [call.kind, call.name, call.collaborator?.collaboratorName])).toEqual([
      ['AGENT_COLLABORATOR', 'billing', 'billing'],
      ['AGENT_COLLABORATOR', 'infrastructure', 'infrastructure'],
    ]);
    // Tokens from the collaborator's own parts; its cost is not in them.
    expect(calls[0]?.collaborator).toMatchObject({ parentRunId: result.runId, steps: [{}, {}], costUsd: null, complete: false });

    // Without the supervisor's collaborator calls (a file cut short), they hang off its run.
    const isCall = (line: (typeof lines)[number]) => {
      const orchestration = line.trace.orchestrationTrace as Record<string, { invocationType?: string; type?: string }> | undefined;
      return (
        orchestration?.invocationInput?.invocationType === 'AGENT_COLLABORATOR' || orchestration?.observation?.type === 'AGENT_COLLABORATOR'
      );
    };
    const [cut] = buildRunViews(lines.filter((line) => !isCall(line)));
    expect(cut?.collaborators.map((run) => run.collaboratorName)).toEqual(['billing', 'infrastructure']);
    // Without any of the supervisor's lines, each collaborator is a run of its own.
    const alone = buildRunViews(lines.filter((line) => line.runId !== result.runId));
    expect(alone.map((run) => [run.collaboratorName, run.parentRunId])).toEqual([
      ['billing', result.runId],
      ['infrastructure', result.runId],
    ]);
  });

  it("nests a collaborator's collaborator under the call of the collaborator that started it", async () => {
    const { supervisor } = await nestedCollaborators(kit);
    const path = join(tempDir(), 'nested.jsonl');
    const sink = jsonlTraceSink(path);
    sink.attach(supervisor);
    await supervisor.run('When was INV-1042 paid?');
    await sink.close();
    const runs = buildRunViews((await readTraceFile(path)).lines);
    expect(runs).toHaveLength(1);
    const research = runs[0]?.steps[0]?.tools[0]?.collaborator;
    const lookup = research?.steps[0]?.tools[0]?.collaborator;
    expect([research?.collaboratorName, lookup?.collaboratorName, lookup?.answer]).toEqual(['research', 'lookup', '2 May']);
    expect(lookup?.parentRunId).toBe(research?.id);
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
    const [mine, ...others] = buildRunViews(lines);
    expect(mine?.id).toBe(paused.runId);
    // The collaborator's run is not a run of its own: it hangs off the supervisor's call.
    expect(others).toEqual([]);
    const nested = mine?.steps[0]?.tools[0]?.collaborator;
    expect(nested?.collaboratorName).toBe('ops');
    expect(mine?.answer).toBeNull();
    expect(mine?.steps[0]?.answer).toBeNull();
    expect(nested?.answer).toBeNull();
    expect(nested?.steps[0]?.tools.map((t) => [t.name, t.end])).toEqual([['restart_service', null]]);
  });
});
