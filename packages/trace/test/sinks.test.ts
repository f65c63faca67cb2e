import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cascade } from '@novaloop/core';
import { describe, expect, it } from 'vitest';
import { tool } from '@novaloop/core';
import { z } from 'zod';
import { consoleTraceSink, jsonlTraceSink, readTraceFile, TraceFileError, type TraceLine } from '../src/index.js';
import {
  brokenTool,
  expectNoSecrets,
  INFRA_QUESTION,
  NOVA_PRO,
  INFRA_SCRIPT,
  leakyScript,
  leakyTool,
  SECRETS,
  say,
  useKit,
  useTool,
} from './helpers.js';
import {
  BILLING_MODEL,
  collaboratorPause,
  INFRA_MODEL,
  multiAgent,
  nestedCollaborators,
  pausingCascade,
  SUPPORT_QUESTION,
} from './scenarios.js';

const kindOf = (line: TraceLine) => {
  const [kind, value] = Object.entries(line.trace)[0] as [string, Record<string, unknown>];
  if (kind === 'orchestrationTrace') return Object.keys(value)[0];
  if (kind === 'customOrchestrationTrace') return `novaloop:${line.novaloop?.event}`;
  return kind;
};

describe('jsonlTraceSink', () => {
  const kit = useKit();
  const { start, agentOn, tempDir } = kit;

  it('writes one Agents-shaped trace part a line, with novaloop records for what Agents does not carry', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server);
    const path = join(tempDir(), 'run.jsonl');
    const sink = jsonlTraceSink(path);
    sink.attach(agent);
    const result = await agent.run(INFRA_QUESTION, { sessionId: 'ops-1' });
    await sink.close();

    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const { lines, skipped } = await readTraceFile(path);
    expect(skipped).toEqual([]);
    expect(text.trim().split('\n')).toHaveLength(lines.length);
    for (const line of lines) {
      expect(line.runId).toBe(result.runId);
      expect(line.sessionId).toBe('ops-1');
      expect(new Date(line.eventTime as string).toISOString()).toBe(line.eventTime);
    }
    // Every trace part of the run is there, in order, equal to what the agent emitted (as JSON).
    const parts = lines.filter((line) => !('customOrchestrationTrace' in line.trace));
    expect(parts.map(({ runId, sessionId, eventTime, trace }) => ({ runId, sessionId, eventTime, trace }))).toEqual(
      JSON.parse(JSON.stringify(result.trace)),
    );
    const step = [
      'novaloop:step-start',
      'modelInvocationInput',
      'modelInvocationOutput',
      'rationale',
      'invocationInput',
      'observation',
      'novaloop:step-end',
    ];
    expect(lines.map(kindOf)).toEqual([
      'novaloop:run-start',
      ...step,
      ...step,
      'novaloop:step-start',
      'modelInvocationInput',
      'modelInvocationOutput',
      'invocationInput',
      'observation',
      'novaloop:step-end',
      'novaloop:run-end',
    ]);
    expect(lines[0]?.novaloop).toEqual({ event: 'run-start', input: INFRA_QUESTION });
    const toolObservation = lines[6];
    expect(toolObservation?.novaloop).toMatchObject({ event: 'part', step: 0, durationMs: expect.any(Number) });
    expect(lines[3]?.novaloop).toEqual({ event: 'part', step: 0, costUsd: result.steps[0]?.costUsd });
    expect(lines.at(-2)?.novaloop).toMatchObject({
      event: 'step-end',
      step: 2,
      usage: { inputTokens: result.steps[2]?.usage.inputTokens },
    });
    expect(lines.at(-1)?.novaloop).toEqual({
      event: 'run-end',
      stopReason: 'end_turn',
      steps: 3,
      usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, totalTokens: result.usage.totalTokens },
      costUsd: result.costUsd,
      usageByModel: {
        [NOVA_PRO]: {
          usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, totalTokens: result.usage.totalTokens },
          costUsd: result.costUsd,
        },
      },
    });
  });

  it('writes each step when it ends, before the run is over', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    server.injectFaults({ fault: { kind: 'latency', ms: 400 }, requests: [2] });
    const agent = agentOn(server);
    const path = join(tempDir(), 'run.jsonl');
    const sink = jsonlTraceSink(path);
    sink.attach(agent);
    const onDisk: string[] = [];
    agent.events.on('model-request', (event) => {
      if (event.stepIndex === 1) setTimeout(() => onDisk.push(readFileSync(path, 'utf8')), 150);
    });
    await agent.run(INFRA_QUESTION);
    await sink.close();
    const early = onDisk[0] ?? '';
    expect(early).toContain('novaloop step-end 0');
    expect(early).not.toContain('novaloop step-end 1');
    expect(early.endsWith('\n')).toBe(true);
  });

  it('keeps lines whole when many runs in one process append to the same file, across sinks', async () => {
    const server = await start({ script: INFRA_SCRIPT, latencyMs: 2 });
    const path = join(tempDir(), 'many.jsonl');
    const sinks = [jsonlTraceSink(path), jsonlTraceSink(path)];
    const agents = [agentOn(server), agentOn(server)];
    sinks[0]!.attach(agents[0]!);
    sinks[1]!.attach(agents[1]!);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => agents[i % 2]!.run(INFRA_QUESTION)));
    await Promise.all(sinks.map((sink) => sink.close()));

    const { lines, skipped } = await readTraceFile(path);
    expect(skipped).toEqual([]);
    for (const result of results) {
      const own = lines.filter((line) => line.runId === result.runId);
      expect(own.filter((line) => !('customOrchestrationTrace' in line.trace))).toHaveLength(result.trace.length);
      expect(own.at(-1)?.novaloop?.event).toBe('run-end');
    }
  });

  it('a torn last line (writer killed mid-write) is skipped and reported; the next writer starts a fresh line', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const path = join(tempDir(), 'torn.jsonl');
    const first = jsonlTraceSink(path);
    first.attach(agentOn(server));
    const run1 = await agentOn(server)
      .run(INFRA_QUESTION)
      .then(() => undefined);
    void run1;
    await first.close();
    // A process killed mid-write: half a line, no newline.
    appendFileSync(path, '{"runId":"killed","sessionId":"s","eventTime":"2026-');
    const torn = await readTraceFile(path);
    expect(torn.skipped).toEqual([
      { line: torn.lines.length + 1, reason: 'torn', excerpt: '{"runId":"killed","sessionId":"s","eventTime":"2026-' },
    ]);

    const second = jsonlTraceSink(path);
    const agent = agentOn(server);
    second.attach(agent);
    const result = await agent.run(INFRA_QUESTION);
    await second.close();
    const after = await readTraceFile(path);
    expect(after.skipped).toEqual([{ line: torn.lines.length + 1, reason: 'invalid-json', excerpt: expect.stringContaining('"killed"') }]);
    expect(after.lines.filter((line) => line.runId === result.runId).at(-1)?.novaloop?.event).toBe('run-end');
  });

  it('a writer process killed with SIGKILL mid-run leaves its finished steps readable, and the file stays appendable', async () => {
    const path = join(tempDir(), 'killed.jsonl');
    const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const worker = fileURLToPath(new URL('./fixtures/killed-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', loader, '--conditions=@novaloop/source', worker, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Killed while the second model call hangs, once the first step is on disk.
    await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('step-end') && resolve()));
    for (let i = 0; i < 200 && !readFileSync(path, 'utf8').includes('novaloop step-end 0'); i++)
      await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const killed = await readTraceFile(path);
    expect(killed.skipped).toEqual([]);
    const kinds = killed.lines.map(kindOf);
    expect(kinds.slice(0, 8)).toEqual([
      'novaloop:run-start',
      'novaloop:step-start',
      'modelInvocationInput',
      'modelInvocationOutput',
      'rationale',
      'invocationInput',
      'observation',
      'novaloop:step-end',
    ]);
    // The second step's start may be on disk too (its model call is the one that hangs), nothing after it.
    expect(kinds.slice(8)).toEqual(['novaloop:step-start', 'modelInvocationInput'].slice(0, kinds.length - 8));

    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server);
    const sink = jsonlTraceSink(path);
    sink.attach(agent);
    const result = await agent.run(INFRA_QUESTION);
    await sink.close();
    const after = await readTraceFile(path);
    expect(after.skipped).toEqual([]);
    expect(after.lines.filter((line) => line.runId === result.runId).at(-1)?.novaloop?.event).toBe('run-end');
  });

  it("writes a collaborator's parts once, with parentRunId and collaboratorName; its own records when its agent is recorded too", async () => {
    const { supervisor, billing } = await multiAgent(kit);
    const path = join(tempDir(), 'multi.jsonl');
    const sink = jsonlTraceSink(path);
    // billing is recorded through its own agent too; infrastructure only through the supervisor.
    sink.attach(supervisor);
    sink.attach(billing);
    const result = await supervisor.run(SUPPORT_QUESTION, { sessionId: 'customer-7' });
    await sink.close();

    const { lines, skipped } = await readTraceFile(path);
    expect(skipped).toEqual([]);
    const parts = lines
      .filter((line) => !('customOrchestrationTrace' in line.trace))
      .map(({ runId, sessionId, parentRunId, collaboratorName, eventTime, trace }) => ({
        runId,
        sessionId,
        ...(parentRunId !== undefined ? { parentRunId } : {}),
        ...(collaboratorName !== undefined ? { collaboratorName } : {}),
        eventTime,
        trace,
      }));
    // Every part of the supervisor's trace (its collaborators' included) exactly once, though billing's came twice.
    const expected = JSON.parse(JSON.stringify(result.trace)) as unknown[];
    expect(parts).toHaveLength(expected.length);
    expect(parts).toEqual(expect.arrayContaining(expected));

    const runOf = (name: string) => lines.find((line) => line.collaboratorName === name)?.runId;
    const billingRun = runOf('billing');
    const infraRun = runOf('infrastructure');
    expect(billingRun).toBeDefined();
    expect(infraRun).toBeDefined();
    for (const line of lines.filter((l) => l.runId === billingRun && !('customOrchestrationTrace' in l.trace)))
      expect(line).toMatchObject({ parentRunId: result.runId, collaboratorName: 'billing', sessionId: 'customer-7:billing' });
    // billing's own events give its steps and its cost; infrastructure's parts alone carry none.
    const billingEnd = lines.find((line) => line.runId === billingRun && line.novaloop?.event === 'run-end');
    expect(billingEnd?.novaloop).toMatchObject({ stopReason: 'end_turn', steps: 2, costUsd: result.usageByModel[BILLING_MODEL]?.costUsd });
    expect(lines.filter((line) => line.runId === billingRun && line.novaloop?.event === 'step-end')).toHaveLength(2);
    expect(lines.filter((line) => line.runId === infraRun && line.novaloop !== undefined)).toEqual([]);
    const supervisorEnd = lines.find((line) => line.runId === result.runId && line.novaloop?.event === 'run-end');
    expect(supervisorEnd?.novaloop).toMatchObject({
      usageByModel: Object.fromEntries(
        Object.entries(result.usageByModel).map(([model, { usage, costUsd }]) => [
          model,
          { usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.totalTokens }, costUsd },
        ]),
      ),
    });
    expect(Object.keys(result.usageByModel)).toHaveLength(3);
  });

  it('records routing before step 1, and pauses and resumes of one run (same run id, step numbers going on)', async () => {
    const scenario = await pausingCascade(kit);
    const path = join(tempDir(), 'paused.jsonl');
    const sink = jsonlTraceSink(path);
    sink.attach(scenario.agent);
    const first = await scenario.start('order-a17');
    const [second, third] = await scenario.finish(first);
    await sink.close();

    const { lines } = await readTraceFile(path);
    expect(new Set(lines.map((line) => line.runId))).toEqual(new Set([first.runId]));
    expect(second?.runId).toBe(first.runId);
    const events = lines.map(kindOf);
    // The classifier's parts and decision come before step 1, without a step of their own.
    const routing = lines.filter((line) => 'routingClassifierTrace' in line.trace);
    expect(routing.map((line) => Object.keys(line.trace.routingClassifierTrace as object)[0])).toEqual([
      'modelInvocationInput',
      'modelInvocationOutput',
      'observation',
    ]);
    expect(routing.every((line) => line.novaloop === undefined)).toBe(true);
    expect(events.indexOf('routingClassifierTrace')).toBeLessThan(events.indexOf('novaloop:step-start'));

    const records = lines.map((line) => line.novaloop).filter((n) => n && ['run-start', 'pause', 'resume', 'run-end'].includes(n.event));
    const lookup = first.pending[0]!;
    const refund = second!.pending[0]!;
    expect(records).toEqual([
      { event: 'run-start', input: 'Refund order A-17' },
      {
        event: 'pause',
        step: 0,
        invocationId: lookup.invocationId,
        stopReason: 'return_control',
        calls: [{ toolUseId: lookup.toolUseId, name: 'lookup_order', kind: 'return_control' }],
      },
      expect.objectContaining({ event: 'run-end', stopReason: 'return_control', steps: 1 }),
      { event: 'run-start', input: '', resumes: lookup.invocationId },
      {
        event: 'resume',
        step: 0,
        invocationId: lookup.invocationId,
        calls: [{ toolUseId: lookup.toolUseId, name: 'lookup_order', kind: 'return_control' }],
      },
      {
        event: 'pause',
        step: 1,
        invocationId: refund.invocationId,
        stopReason: 'needs_approval',
        calls: [{ toolUseId: refund.toolUseId, name: 'refund_order', kind: 'approval' }],
      },
      expect.objectContaining({ event: 'run-end', stopReason: 'needs_approval', steps: 1 }),
      { event: 'run-start', input: '', resumes: refund.invocationId },
      expect.objectContaining({ event: 'resume', step: 1, invocationId: refund.invocationId }),
      expect.objectContaining({ event: 'run-end', stopReason: 'end_turn', steps: 1, costUsd: third?.costUsd }),
    ]);
    // The application's answer to the paused call belongs to the step that paused (step 0), not the resumed run's first.
    const answer = lines.find(
      (line) =>
        (line.trace.orchestrationTrace as { observation?: { actionGroupInvocationOutput?: { invocationId?: string } } } | undefined)
          ?.observation?.actionGroupInvocationOutput?.invocationId === lookup.toolUseId,
    );
    expect(answer?.novaloop).toMatchObject({ event: 'part', step: 0 });
    expect(lines.filter((line) => line.novaloop?.event === 'step-start').map((line) => line.novaloop)).toEqual([
      { event: 'step-start', step: 0 },
      { event: 'step-start', step: 1 },
      { event: 'step-start', step: 2 },
    ]);
  });

  it('records a failed run: tool error, retry and failureTrace', async () => {
    const server = await start({
      script: { turns: [useTool('restart_service', { service_name: 'payments-api' }), say('Could not restart.')] },
    });
    server.injectFaults({ fault: { kind: 'throttling' }, requests: [2] });
    const agent = agentOn(server, { tools: [brokenTool] });
    const path = join(tempDir(), 'failed.jsonl');
    const sink = jsonlTraceSink(path);
    sink.attach(agent);
    await agent.run('restart payments-api');
    server.injectFaults({ fault: { kind: 'throttling' }, times: Infinity });
    await expect(agent.run('again', { sessionId: 'x' })).rejects.toMatchObject({ code: 'BEDROCK_RETRIES_EXHAUSTED' });
    await sink.close();

    const { lines } = await readTraceFile(path);
    const toolError = lines.find((line) => line.novaloop?.event === 'part' && line.novaloop.error !== undefined);
    expect(toolError?.novaloop).toMatchObject({ error: expect.stringContaining('restart refused') });
    expect(lines.find((line) => line.novaloop?.event === 'retry')?.novaloop).toMatchObject({
      attempt: 2,
      reason: 'transient',
      error: { code: expect.stringMatching(/Throttling/) },
    });
    const failure = lines.at(-1);
    expect(failure?.trace).toEqual({
      failureTrace: {
        traceId: `${failure?.runId}-0`,
        failureReason: expect.stringMatching(/Throttling/),
        failureCode: 429,
        errorCode: 'BEDROCK_RETRIES_EXHAUSTED',
      },
    });
  });

  it('redacts secrets before writing: keys, AWS keys, bearer tokens, also inside JSON text', async () => {
    const server = await start({ script: leakyScript });
    const agent = agentOn(server, { tools: [leakyTool] });
    const path = join(tempDir(), 'secret.jsonl');
    const sink = jsonlTraceSink(path, { redact: { keys: ['user'] } });
    sink.attach(agent);
    await agent.run('get the deploy credentials');
    await sink.close();
    const text = readFileSync(path, 'utf8');
    expectNoSecrets(text);
    expect(text).not.toContain('"ops"');
    expect(text).toContain('[REDACTED]');

    // Without redaction the same run writes them, so the test above proves something.
    const plain = join(tempDir(), 'plain.jsonl');
    const open = jsonlTraceSink(plain, { redact: false });
    open.attach(agent);
    await agent.run('get the deploy credentials');
    await open.close();
    const raw = readFileSync(plain, 'utf8');
    for (const secret of Object.values(SECRETS)) expect(raw).toContain(secret);
  });

  it('a sink that cannot write reports a typed error and the run still succeeds', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server);
    const path = join(tempDir(), 'no-such-folder', 'run.jsonl');
    const errors: TraceFileError[] = [];
    const sink = jsonlTraceSink(path, { onError: (error) => errors.push(error) });
    sink.attach(agent);
    const result = await agent.run(INFRA_QUESTION);
    expect(result.stopReason).toBe('end_turn');
    await expect(sink.close()).rejects.toMatchObject({
      code: 'TRACE_WRITE_FAILED',
      message: expect.stringMatching(/no-such-folder[\s\S]*writable/),
    });
    expect(errors).toHaveLength(1);
    expect(() => sink.attach(agent)).toThrow(TraceFileError);
  });

  it('with fsync, each step is synced as it is written', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server);
    const path = join(tempDir(), 'synced.jsonl');
    const sink = jsonlTraceSink(path, { fsync: true });
    sink.attach(agent);
    const result = await agent.run(INFRA_QUESTION);
    await sink.close();
    const { lines, skipped } = await readTraceFile(path);
    expect(skipped).toEqual([]);
    expect(lines.filter((line) => !('customOrchestrationTrace' in line.trace))).toHaveLength(result.trace.length);
  });

  it('detach stops recording that agent', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server);
    const path = join(tempDir(), 'detach.jsonl');
    writeFileSync(path, '');
    const sink = jsonlTraceSink(path);
    const detach = sink.attach(agent);
    detach();
    await agent.run(INFRA_QUESTION);
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});

describe('consoleTraceSink', () => {
  const kit = useKit();
  const { start, agentOn } = kit;

  it('prints each step live: header with tokens, ms, stop reason and cost; rationale; tool call; observation; run line', async () => {
    const server = await start({ script: INFRA_SCRIPT });
    const agent = agentOn(server);
    const lines: string[] = [];
    consoleTraceSink({ out: (line) => lines.push(line) }).attach(agent);
    const result = await agent.run(INFRA_QUESTION);
    const u = result.steps[0]!.usage;
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^Step 1  \\(${u.inputTokens} in / ${u.outputTokens} out tokens, \\d+ ms, tool_use, \\$${result.steps[0]!.costUsd!.toFixed(6)}\\)$`,
        ),
      ),
    );
    expect(lines).toContain('  tool call:   get_service_status({"service_name":"payments-api"})');
    expect(lines).toContain('  observation: {"service":"payments-api","status":"degraded","running":2,"desired":4}');
    expect(lines.find((line) => line.startsWith('  rationale:   To find how many ECS tasks failed'))).toBeDefined();
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^Run end_turn: 3 steps, ${result.usage.inputTokens} in \\+ ${result.usage.outputTokens} out = ${result.usage.totalTokens} tokens, \\$\\d\\.\\d{6}, \\d+ ms$`,
      ),
    );
    expect(lines.join('\n')).not.toContain('\x1b[');
  });

  it('truncates long values, colours only when asked, and prints tool errors, retries and failures', async () => {
    const server = await start({ script: { turns: [useTool('restart_service', { service_name: 'x'.repeat(500) }), say('no')] } });
    server.injectFaults({ fault: { kind: 'throttling' }, requests: [2] });
    const agent = agentOn(server, { tools: [brokenTool] });
    const lines: string[] = [];
    consoleTraceSink({ out: (line) => lines.push(line), color: true, maxChars: 60 }).attach(agent);
    await agent.run('restart');
    const call = lines.find((line) => line.includes('tool call'));
    expect(call).toContain('…');
    expect(call!.replaceAll(String.fromCharCode(27), '').replace(/\[\d+m/g, '').length).toBeLessThan(60 + 40);
    expect(
      lines.some((line) => line.includes('\x1b[31merror: ') && line.includes('restart refused')),
      lines.join('\n'),
    ).toBe(true);
    expect(lines.some((line) => /retry:.*attempt 2 .*Throttling/.test(line))).toBe(true);

    server.injectFaults({ fault: { kind: 'throttling' }, times: Infinity });
    await expect(agent.run('again')).rejects.toThrow();
    expect(lines.at(-1)).toMatch(/error:.*BEDROCK_RETRIES_EXHAUSTED/);
  });

  it("shows a cascade's classifier call as Routing, then the route it chose", async () => {
    const server = await start({ script: { classify: [{ tool: 'route', label: 'simple' }] } });
    const micro = 'us.amazon.nova-micro-v1:0';
    const agent = agentOn(server, {
      model: cascade({ classifier: micro, routes: { simple: micro, complex: NOVA_PRO }, fallback: 'complex' }),
      tools: [],
    });
    const lines: string[] = [];
    consoleTraceSink({ out: (line) => lines.push(line) }).attach(agent);
    const result = await agent.run('hours?');
    const routing = result.route!;
    const at = lines.findIndex((line) => line.startsWith('Routing  ('));
    expect(lines[at]).toMatch(
      new RegExp(
        `^Routing  \\(us\\.amazon\\.nova-micro-v1:0, ${routing.usage.inputTokens} in / ${routing.usage.outputTokens} out tokens, \\d+ ms, \\$\\d\\.\\d{6}\\)$`,
      ),
    );
    expect(lines[at + 1]).toBe('  route:       simple → us.amazon.nova-micro-v1:0 (classifier)');
    expect(lines.filter((line) => line.startsWith('Step '))).toHaveLength(1);
  });

  it("prints a collaborator's run indented under the supervisor's call, once, with its cost when its agent is heard too", async () => {
    const { supervisor, billing, infrastructure } = await multiAgent(kit);
    const lines: string[] = [];
    const sink = consoleTraceSink({ out: (line) => lines.push(line) });
    sink.attach(supervisor);
    const result = await supervisor.run(SUPPORT_QUESTION);
    const at = (text: string) => lines.findIndex((line) => line.startsWith(text));
    const call = at('  tool call:   billing({"request":"What was charged on invoice INV-1042, and for what?"})');
    const own = at('    billing ›   tool call:   get_invoice({"invoice_id":"INV-1042"})');
    const answered = at('  observation: billing: INV-1042 totals');
    expect(call).toBeGreaterThan(0);
    expect(own).toBeGreaterThan(call);
    expect(answered).toBeGreaterThan(own);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {4}billing › Step 1 {2}\(us\.amazon\.nova-lite-v1:0, \d+ in \/ \d+ out tokens, \d+ ms, tool_use\)$/),
    );
    expect(lines).toContain('    infrastructure ›   rationale:   Check the service status.');
    expect(lines).toContain(
      '    infrastructure ›   observation: get_service_status: {"service":"payments-api","status":"degraded","running":2,"desired":4}',
    );
    expect(lines.some((line) => line.startsWith('    billing ›   answer:      INV-1042 totals'))).toBe(true);
    // Tokens and cost per model after the run line: the supervisor's and both collaborators'.
    const end = at('Run end_turn: 2 steps');
    for (const [model, { usage, costUsd }] of Object.entries(result.usageByModel))
      expect(lines.slice(end)).toContain(
        `  model:       ${model}  ${usage.inputTokens} in / ${usage.outputTokens} out tokens, $${costUsd!.toFixed(6)}`,
      );

    // Hearing the collaborators' agents too: the same lines once each, no run-id prefixes, and each step's cost.
    const both: string[] = [];
    const twice = consoleTraceSink({ out: (line) => both.push(line) });
    for (const agent of [supervisor, billing, infrastructure]) twice.attach(agent);
    await supervisor.run(SUPPORT_QUESTION);
    expect(both.filter((line) => line.includes('billing ›   tool call:'))).toHaveLength(1);
    expect(both.some((line) => line.startsWith('['))).toBe(false);
    const costs = both
      .filter((line) => line.startsWith('    billing › Step '))
      .map((line) => Number(/, \$(\d+\.\d{6})\)$/.exec(line)?.[1]));
    expect(costs).toHaveLength(2);
    expect(costs.every((cost) => cost > 0)).toBe(true);
    await sink.close();
    await twice.close();
  });

  it("indents a collaborator's collaborator one level more", async () => {
    const { supervisor } = await nestedCollaborators(kit);
    const lines: string[] = [];
    consoleTraceSink({ out: (line) => lines.push(line) }).attach(supervisor);
    await supervisor.run('When was INV-1042 paid?');
    const at = (line: string) => lines.indexOf(line);
    expect(at('    research ›   tool call:   lookup({"request":"Payment date of INV-1042"})')).toBeGreaterThan(0);
    expect(at('        lookup ›   answer:      2 May')).toBeGreaterThan(
      at('    research ›   tool call:   lookup({"request":"Payment date of INV-1042"})'),
    );
    expect(at('    research ›   observation: lookup: 2 May')).toBeGreaterThan(at('        lookup ›   answer:      2 May'));
  });

  it("shows a failing collaborator's failure under the supervisor's call", async () => {
    const { server, supervisor } = await multiAgent(kit);
    server.injectFaults({ fault: { kind: 'throttling' }, times: Infinity, model: INFRA_MODEL });
    const lines: string[] = [];
    consoleTraceSink({ out: (line) => lines.push(line) }).attach(supervisor);
    const result = await supervisor.run(SUPPORT_QUESTION);
    expect(result.stopReason).toBe('end_turn');
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}infrastructure › {3}error: +BEDROCK_RETRIES_EXHAUSTED: .*Throttl/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}observation: infrastructure: .*error: /));
  });

  it('starts each line with the run id while runs overlap', async () => {
    const server = await start({ script: INFRA_SCRIPT, latencyMs: 20 });
    const agent = agentOn(server);
    const lines: string[] = [];
    consoleTraceSink({ out: (line) => lines.push(line) }).attach(agent);
    const [a, b] = await Promise.all([agent.run(INFRA_QUESTION), agent.run(INFRA_QUESTION)]);
    for (const result of [a, b]) {
      const own = lines.filter((line) => line.startsWith(`[${result.runId.slice(0, 8)}] `));
      expect(own.filter((line) => line.includes('tool call:'))).toHaveLength(2);
    }
  });

  it('prints a pause for approval and the resume that answers it', async () => {
    const server = await start({ script: { turns: [useTool('restart_service', { service: 'prod-api' }), say('Restarted.')] } });
    const restart = tool({
      name: 'restart_service',
      description: 'Restart a service',
      input: z.object({ service: z.string() }),
      needsApproval: true,
      run: () => 'ok',
    });
    const agent = agentOn(server, { tools: [restart] });
    const lines: string[] = [];
    consoleTraceSink({ out: (line) => lines.push(line) }).attach(agent);
    const paused = await agent.run('Restart prod-api');
    expect(lines).toContain('  paused:      restart_service({"service":"prod-api"}) waits for approval');
    expect(lines.at(-1)).toMatch(/^Run needs_approval: 1 steps/);
    await agent.resume(paused.sessionId, [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true }]);
    expect(lines).toContain(`  resumed:     1 call(s) answered (invocation ${paused.pending[0]?.invocationId.slice(0, 8)})`);
    expect(lines).toContain('  tool call:   restart_service({"service":"prod-api"})');
    expect(lines.at(-1)).toMatch(/^Run end_turn: 1 steps/);
  });

  it("prints a collaborator's pause in its supervisor's run by the call's collaborator path", async () => {
    const { supervisor } = await collaboratorPause(kit);
    const lines: string[] = [];
    consoleTraceSink({ out: (line) => lines.push(line) }).attach(supervisor);
    const paused = await supervisor.run('Restart prod-api');
    expect(lines).toContain('  paused:      billing/restart_service({"service":"prod-api"}) waits for approval');
    // The run line, then a line per model (the supervisor's and billing's).
    const runLine = () => lines.findLast((line) => line.startsWith('Run '));
    expect(runLine()).toMatch(/^Run needs_approval: 1 steps/);
    // Under the supervisor's call, billing's own view of it: the call handed over, and the question.
    expect(lines).toContain('    billing ›   paused:      restart_service({"service":"prod-api"}) handed to the application');
    expect(lines).toContain('    billing ›   asks user:   Approve restart_service {"service":"prod-api"}?');
    await supervisor.resume(paused.sessionId, [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true }]);
    expect(runLine()).toMatch(/^Run end_turn: 1 steps/);
    // Billing goes on under the resumed run: the approved call runs, then billing answers.
    const resumed = lines.findIndex((line) => line.startsWith('  resumed:'));
    expect(lines.indexOf('    billing ›   tool call:   restart_service({"service":"prod-api"})')).toBeGreaterThan(resumed);
    expect(lines.indexOf('    billing ›   answer:      Restarted.')).toBeGreaterThan(resumed);
  });

  it('redacts secrets before printing', async () => {
    const server = await start({ script: leakyScript });
    const agent = agentOn(server, { tools: [leakyTool] });
    const lines: string[] = [];
    consoleTraceSink({ out: (line) => lines.push(line), maxChars: 10_000 }).attach(agent);
    await agent.run('get the deploy credentials');
    const text = lines.join('\n');
    expectNoSecrets(text);
    expect(text).toContain('fetch_credentials({"user":"ops","password":"[REDACTED]"})');
  });
});
