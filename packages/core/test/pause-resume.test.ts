import type { ScriptTurn } from '@novaloop/bedrock-local';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod3';
import {
  InMemorySessionStore,
  NothingPendingError,
  ResumeConflictError,
  ResumeInputError,
  SessionPausedError,
  tool,
  ToolDefinitionError,
  type AgentEvent,
  type OrchestrationTrace,
  type TracePart,
} from '../src/index.js';
import { assertValidHistory, bodies, say, useBedrock } from './helpers.js';

const regions = tool({
  name: 'list_regions',
  description: 'List the AWS regions the service runs in',
  input: z.object({}),
  run: () => ({ regions: ['us-east-1', 'eu-west-1'] }),
});
/** No `run`: the application answers it. */
const askManager = tool({
  name: 'ask_manager',
  description: 'Ask the on-call manager a question',
  input: z.object({ question: z.string(), urgent: z.boolean().default(false) }),
  output: z.object({ answer: z.string() }),
});
let restarts: string[] = [];
const restartService = tool({
  name: 'restart_service',
  description: 'Restart a service',
  input: z.object({ service: z.string() }),
  // Only production services need a person's yes.
  needsApproval: ({ service }) => service.startsWith('prod-'),
  run: ({ service }) => {
    restarts.push(service);
    return `${service} restarted`;
  },
});
const tools = [regions, askManager, restartService];

const both = (a: object, b: object): ScriptTurn => ({
  content: [
    { toolUse: { toolUseId: 'auto', name: 'list_regions', input: {} } },
    { toolUse: { toolUseId: 'auto', ...a } },
    ...(Object.keys(b).length ? [{ toolUse: { toolUseId: 'auto', ...b } }] : []),
  ],
});
const ASK = both({ name: 'ask_manager', input: { question: 'May I restart?' } }, {});
const RESTART = both(
  { name: 'restart_service', input: { service: 'prod-api' } },
  { name: 'restart_service', input: { service: 'dev-api' } },
);
const script = (first: ScriptTurn) => ({ turns: [first, say('Done: the manager said yes.'), say('Second answer.')] });

const traceOutline = (parts: TracePart[]) =>
  parts.flatMap((p) => {
    if (!('orchestrationTrace' in p.trace)) return [];
    const o = p.trace.orchestrationTrace as OrchestrationTrace &
      Record<string, { type?: string; invocationType?: string; traceId: string }>;
    const [kind, value] = Object.entries(o)[0] as [string, { type?: string; invocationType?: string; traceId: string }];
    return [`${kind}:${value.invocationType ?? value.type ?? ''}@${value.traceId.split('-').at(-1)}`];
  });

describe('return of control and approval', () => {
  const { start, agentOn } = useBedrock();

  it('a tool without run pauses the run; tools of the same turn run first; resume continues the numbering', async () => {
    const server = await start({ script: script(ASK) });
    const store = new InMemorySessionStore();
    const agent = agentOn(server, { tools, memory: store });
    const events: AgentEvent[] = [];
    agent.events.on('pause', (e) => events.push(e));
    const paused = await agent.run('Can we restart?', { sessionId: 's1' });

    expect(paused.stopReason).toBe('return_control');
    expect(paused.pending).toEqual([
      {
        invocationId: expect.any(String),
        toolUseId: expect.stringMatching(/^tooluse_/),
        name: 'ask_manager',
        input: { question: 'May I restart?', urgent: false },
        kind: 'return_control',
      },
    ]);
    expect(paused.steps[0]?.toolCalls.map((c) => c.name)).toEqual(['list_regions']);
    expect(paused.steps[0]?.pending).toEqual(paused.pending);
    expect(events).toHaveLength(1);
    const stored = await store.load('s1');
    // The prompt is stored; the waiting assistant message is in the pending state, so the history stays valid.
    expect(stored?.messages.map((m) => m.role)).toEqual(['user']);
    expect(stored?.pending).toMatchObject({ invocationId: paused.pending[0]?.invocationId, runId: paused.runId, stepIndex: 0 });
    expect(stored?.pending?.results.map((r) => r.toolUseId)).toEqual([paused.steps[0]?.toolCalls[0]?.toolUseId]);

    const [call] = paused.pending;
    const stepStarts: number[] = [];
    agent.events.on('step-start', (e) => stepStarts.push(e.stepIndex));
    const resumed = await agent.resume('s1', [{ toolUseId: call?.toolUseId ?? '', result: { answer: 'yes' } }]);
    expect(resumed.stopReason).toBe('end_turn');
    expect(resumed.text).toBe('Done: the manager said yes.');
    expect(resumed.runId).toBe(paused.runId);
    expect(resumed.steps.map((s) => s.index)).toEqual([1]);
    expect(stepStarts).toEqual([1]);
    expect(resumed.pending).toEqual([]);
    // The model got both results, in the order it asked.
    const sent = bodies(server)[1]?.messages.at(-1)?.content ?? [];
    expect(sent.map((b) => b.toolResult?.content?.[0]?.json)).toEqual([{ regions: ['us-east-1', 'eu-west-1'] }, { answer: 'yes' }]);
    const after = await store.load('s1');
    expect(after?.pending).toBeUndefined();
    expect(after?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    assertValidHistory(after?.messages ?? [], tools);

    // Resuming it again is a typed error that changes nothing.
    const again = await agent.resume('s1', [{ toolUseId: call?.toolUseId ?? '', result: { answer: 'yes' } }]).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(NothingPendingError);
    expect(again).toMatchObject({ code: 'RESUME_NOTHING_PENDING' });
    const stale = await agent
      .resume('s1', [{ invocationId: call?.invocationId ?? '', toolUseId: call?.toolUseId ?? '', result: { answer: 'yes' } }])
      .catch((e: unknown) => e);
    expect(stale).toMatchObject({ code: 'RESUME_NOTHING_PENDING' });
    expect((await store.load('s1'))?.version).toBe(after?.version);
  });

  it('bad answers are typed errors that change nothing', async () => {
    const server = await start({ script: script(ASK) });
    const store = new InMemorySessionStore();
    const agent = agentOn(server, { tools, memory: store });
    const paused = await agent.run('Can we restart?', { sessionId: 's2' });
    const id = paused.pending[0]?.toolUseId ?? '';
    const before = await store.load('s2');
    const cases: [unknown, string][] = [
      [[{ toolUseId: 'tooluse_nope', result: { answer: 'x' } }], 'RESUME_UNKNOWN_CALL'],
      [[], 'RESUME_MISSING_RESULT'],
      [
        [
          { toolUseId: id, result: { answer: 'x' } },
          { toolUseId: id, result: { answer: 'y' } },
        ],
        'RESUME_INVALID_ANSWER',
      ],
      [[{ toolUseId: id, approve: true }], 'RESUME_INVALID_ANSWER'],
      [[{ toolUseId: id, error: 42 }], 'RESUME_INVALID_ANSWER'],
      [[{ toolUseId: id, result: { answer: 7 } }], 'RESUME_OUTPUT_INVALID'],
      [[{ toolUseId: id, result: { answer: 1n } }], 'RESUME_OUTPUT_INVALID'],
      ['not a list', 'RESUME_INVALID_ANSWER'],
    ];
    for (const [answers, code] of cases) {
      const error = await agent.resume('s2', answers as never).catch((e: unknown) => e);
      expect(error, code).toBeInstanceOf(code === 'RESUME_NOTHING_PENDING' ? NothingPendingError : ResumeInputError);
      expect(error).toMatchObject({ code, message: expect.stringMatching(/Nothing was changed/) });
    }
    expect(await store.load('s2')).toEqual(before);
    expect(server.requests).toHaveLength(1);
    await expect(agent.resume('never-paused', [])).rejects.toMatchObject({ code: 'RESUME_NOTHING_PENDING' });
    // A bad answer did not spend the pause: a good one still resumes it.
    expect((await agent.resume('s2', [{ toolUseId: id, error: 'The manager is away.' }])).stopReason).toBe('end_turn');
    expect(bodies(server)[1]?.messages.at(-1)?.content?.[1]?.toolResult).toMatchObject({
      status: 'error',
      content: [{ text: 'The manager is away.' }],
    });
  });

  it('run() on a paused session is a typed error unless it abandons the pending calls, which the model sees', async () => {
    const server = await start({ script: script(ASK) });
    const store = new InMemorySessionStore();
    const agent = agentOn(server, { tools, memory: store });
    const paused = await agent.run('Can we restart?', { sessionId: 's3' });
    const error = await agent.run('Something else', { sessionId: 's3' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionPausedError);
    expect(error).toMatchObject({ code: 'SESSION_PAUSED', pending: paused.pending, message: expect.stringMatching(/abandonPending/) });
    expect(server.requests).toHaveLength(1);

    const fresh = await agent.run('Something else', { sessionId: 's3', abandonPending: true });
    expect(fresh.stopReason).toBe('end_turn');
    const last = bodies(server)[1]?.messages.at(-1)?.content ?? [];
    expect(last[1]?.toolResult).toMatchObject({ status: 'error', content: [{ text: expect.stringMatching(/abandoned/) }] });
    expect(last.at(-1)).toEqual({ text: 'Something else' });
    const stored = await store.load('s3');
    expect(stored?.pending).toBeUndefined();
    assertValidHistory(stored?.messages ?? [], tools);
    await expect(agent.resume('s3', [])).rejects.toMatchObject({ code: 'RESUME_NOTHING_PENDING' });
  });

  it('needsApproval pauses only the calls it asks for; approve runs the tool once, deny sends the reason as an error result', async () => {
    restarts = [];
    const server = await start({ script: script(RESTART) });
    const store = new InMemorySessionStore();
    const agent = agentOn(server, { tools, memory: store });
    const paused = await agent.run('Restart the api everywhere', { sessionId: 's4' });
    expect(paused.stopReason).toBe('needs_approval');
    expect(paused.pending.map((p) => [p.name, p.input, p.kind])).toEqual([['restart_service', { service: 'prod-api' }, 'approval']]);
    // dev-api needed no approval and ran before the pause.
    expect(restarts).toEqual(['dev-api']);

    const id = paused.pending[0]?.toolUseId ?? '';
    await expect(agent.resume('s4', [{ toolUseId: id, result: 'done' }])).rejects.toMatchObject({ code: 'RESUME_INVALID_ANSWER' });
    const resumed = await agent.resume('s4', [{ toolUseId: id, approve: true }]);
    expect(resumed.stopReason).toBe('end_turn');
    expect(restarts).toEqual(['dev-api', 'prod-api']);
    const results = bodies(server)[1]?.messages.at(-1)?.content ?? [];
    expect(results.map((b) => b.toolResult?.content?.[0]?.text)).toEqual([undefined, 'prod-api restarted', 'dev-api restarted']);

    // Denied: the tool never runs and the model reads the reason.
    restarts = [];
    const server2 = await start({ script: script(RESTART) });
    const agent2 = agentOn(server2, { tools });
    const paused2 = await agent2.run('Restart the api everywhere');
    const denied = await agent2.resume(paused2.sessionId, [
      { toolUseId: paused2.pending[0]?.toolUseId ?? '', approve: false, reason: 'change freeze' },
    ]);
    expect(denied.stopReason).toBe('end_turn');
    expect(restarts).toEqual(['dev-api']);
    const sent = bodies(server2)[1]?.messages.at(-1)?.content?.[1]?.toolResult;
    expect(sent).toMatchObject({ status: 'error', content: [{ text: expect.stringMatching(/denied.*change freeze/) }] });
  });

  it('two resumes of one invocation at once: exactly one wins, the other gets a typed conflict, the tool runs once', async () => {
    restarts = [];
    const server = await start({ script: script(RESTART) });
    const store = new InMemorySessionStore();
    const paused = await agentOn(server, { tools, memory: store }).run('Restart the api everywhere', { sessionId: 's5' });
    const answer = [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true as const }];
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => agentOn(server, { tools, memory: store }).resume('s5', answer)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ResumeConflictError);
    expect(restarts).toEqual(['dev-api', 'prod-api']);
    assertValidHistory((await store.load('s5'))?.messages ?? [], tools);
  });

  it('two resumes of a return of control at once: the append that stores the answers lets exactly one through', async () => {
    const server = await start({ script: script(ASK) });
    const store = new InMemorySessionStore();
    const paused = await agentOn(server, { tools, memory: store }).run('Can we restart?', { sessionId: 's5b' });
    const answer = [{ toolUseId: paused.pending[0]?.toolUseId ?? '', result: { answer: 'yes' } }];
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => agentOn(server, { tools, memory: store }).resume('s5b', answer)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes)
      if (o.status === 'rejected')
        expect(o.reason).toMatchObject({ code: 'RESUME_CONFLICT', invocationId: paused.pending[0]?.invocationId });
    // One model call for the paused run, one for the resume that won.
    expect(server.requests).toHaveLength(2);
    const stored = await store.load('s5b');
    expect(stored?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('a run with typed output that pauses is resumed with the same output schema, and ends with the typed answer', async () => {
    const Verdict = z.object({ restart: z.boolean(), why: z.string() });
    const server = await start({
      script: {
        turns: [
          ASK,
          { content: [{ toolUse: { toolUseId: 'auto', name: 'final_answer', input: { restart: true, why: 'The manager agreed.' } } }] },
        ],
      },
    });
    const agent = agentOn(server, { tools });
    const paused = await agent.run('Should we restart?', { output: Verdict });
    expect(paused.stopReason).toBe('return_control');
    expect(paused.output).toBeUndefined();
    const done = await agent.resume(paused.sessionId, [{ toolUseId: paused.pending[0]?.toolUseId ?? '', result: { answer: 'yes' } }], {
      output: Verdict,
    });
    expect(done.output).toEqual({ restart: true, why: 'The manager agreed.' });
    expect((bodies(server)[1]?.toolConfig as { tools: { toolSpec: { name: string } }[] }).tools.map((t) => t.toolSpec.name)).toContain(
      'final_answer',
    );
  });

  it('abort: a resume with an aborted signal leaves the pause as it was; an abort in the pausing step stores no pause', async () => {
    const server = await start({ script: script(ASK) });
    const store = new InMemorySessionStore();
    const agent = agentOn(server, { tools, memory: store });
    const paused = await agent.run('Can we restart?', { sessionId: 's6' });
    const before = await store.load('s6');
    const answer = [{ toolUseId: paused.pending[0]?.toolUseId ?? '', result: { answer: 'yes' } }];
    const aborted = await agent.resume('s6', answer, { signal: AbortSignal.abort() });
    expect(aborted.stopReason).toBe('aborted');
    expect(aborted.pending).toEqual(paused.pending);
    expect(await store.load('s6')).toEqual(before);
    expect((await agent.resume('s6', answer)).stopReason).toBe('end_turn');

    const controller = new AbortController();
    const slow = tool({
      name: 'list_regions',
      description: 'List regions (slow)',
      input: z.object({}),
      run: (_input, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('late'))),
    });
    const server2 = await start({ script: script(ASK) });
    const agent2 = agentOn(server2, { tools: [slow, askManager], memory: store });
    agent2.events.on('tool-start', () => controller.abort());
    const cut = await agent2.run('Can we restart?', { sessionId: 's7', signal: controller.signal });
    expect(cut.stopReason).toBe('aborted');
    expect(cut.pending).toEqual([]);
    const stored = await store.load('s7');
    expect(stored?.pending).toBeUndefined();
    expect(cut.steps[0]?.toolCalls.map((c) => [c.name, c.status])).toEqual([
      ['list_regions', 'error'],
      ['ask_manager', 'error'],
    ]);
    assertValidHistory(stored?.messages ?? [], [slow, askManager]);
  });

  it('traces a pause as Agents does: RETURN_CONTROL invocation inputs, ASK_USER for approvals; the resume continues the trace ids', async () => {
    const server = await start({ script: script(RESTART) });
    const agent = agentOn(server, { tools });
    const paused = await agent.run('Restart the api everywhere');
    expect(traceOutline(paused.trace)).toEqual([
      'modelInvocationInput:ORCHESTRATION@0',
      'modelInvocationOutput:@0',
      'invocationInput:ACTION_GROUP@0',
      'invocationInput:ACTION_GROUP@0',
      'observation:ACTION_GROUP@0',
      'observation:ACTION_GROUP@0',
      'invocationInput:ACTION_GROUP@0',
      'observation:ASK_USER@0',
    ]);
    const inputs = paused.trace.flatMap((p) =>
      'orchestrationTrace' in p.trace && 'invocationInput' in p.trace.orchestrationTrace
        ? [p.trace.orchestrationTrace.invocationInput]
        : [],
    );
    const executions = inputs.map((i) => (i.invocationType === 'ACTION_GROUP' ? i.actionGroupInvocationInput.executionType : ''));
    expect(executions).toEqual(['LAMBDA', 'LAMBDA', 'RETURN_CONTROL']);
    const ask = paused.trace.at(-1)?.trace;
    expect(ask).toMatchObject({
      orchestrationTrace: { observation: { type: 'ASK_USER', finalResponse: { text: 'Approve restart_service {"service":"prod-api"}?' } } },
    });

    const resumed = await agent.resume(paused.sessionId, [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true }]);
    expect(traceOutline(resumed.trace)).toEqual([
      'invocationInput:ACTION_GROUP@0',
      'observation:ACTION_GROUP@0',
      'modelInvocationInput:ORCHESTRATION@1',
      'modelInvocationOutput:@1',
      'invocationInput:FINISH@1',
      'observation:FINISH@1',
    ]);
    for (const part of resumed.trace) expect(part.runId).toBe(paused.runId);
  });

  it('zod 3 tools pause and check results the same way; streamResume yields the resumed events; a resume needs the same tools', async () => {
    const ask3 = tool({
      name: 'ask_manager',
      description: 'Ask the on-call manager a question',
      input: z3.object({ question: z3.string(), urgent: z3.boolean().default(true) }),
      output: z3.object({ answer: z3.string().min(2) }),
    });
    const server = await start({ script: script(ASK) });
    const store = new InMemorySessionStore();
    const agent = agentOn(server, { tools: [regions, ask3], memory: store });
    const paused = await agent.run('Can we restart?', { sessionId: 'z3' });
    expect(paused.pending[0]?.input).toEqual({ question: 'May I restart?', urgent: true });
    const id = paused.pending[0]?.toolUseId ?? '';
    await expect(agent.resume('z3', [{ toolUseId: id, result: { answer: 'y' } }])).rejects.toMatchObject({
      code: 'RESUME_OUTPUT_INVALID',
      message: expect.stringMatching(/answer/),
    });
    await expect(
      agentOn(server, { tools: [regions], memory: store }).resume('z3', [{ toolUseId: id, result: { answer: 'yes' } }]),
    ).rejects.toMatchObject({
      code: 'AGENT_CONFIG',
    });

    const types: string[] = [];
    const stream = agent.streamResume('z3', [{ toolUseId: id, result: { answer: 'yes' } }]);
    let next = await stream.next();
    while (!next.done) {
      if (next.value.type !== 'trace') types.push(next.value.type);
      next = await stream.next();
    }
    expect(next.value.stopReason).toBe('end_turn');
    expect(types.slice(0, 3)).toEqual(['run-start', 'resume', 'tool-end']);
    expect(types.at(-1)).toBe('run-end');
  });

  it('resume() delivers every event and trace part as streamResume() hands them out: one loop, one deliver()', async () => {
    // The same pause twice, on two servers: one resumed by streamResume(), the other by resume().
    const pauseOn = async () => {
      const server = await start({ script: script(RESTART) });
      const agent = agentOn(server, { tools });
      const paused = await agent.run('Restart the api everywhere');
      expect(paused.stopReason).toBe('needs_approval');
      return { agent, paused, answers: [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true }] };
    };
    const label = (event: AgentEvent) => (event.type === 'trace' ? `trace:${traceOutline([event.part]).join('')}` : event.type);

    const streamed = await pauseOn();
    const handedOut: string[] = [];
    const stream = streamed.agent.streamResume(streamed.paused.sessionId, streamed.answers);
    let next = await stream.next();
    for (; !next.done; next = await stream.next()) handedOut.push(label(next.value));
    expect(next.value.stopReason).toBe('end_turn');
    expect(handedOut).toContain('resume');
    expect(handedOut.filter((l) => l.startsWith('trace:')).length).toBeGreaterThan(0);

    const run = await pauseOn();
    const heard: string[] = [];
    for (const type of new Set(handedOut.filter((l) => !l.startsWith('trace:')))) {
      run.agent.events.on(type as 'resume', (event: AgentEvent) => heard.push(label(event)));
    }
    run.agent.events.on('trace', (part) => heard.push(`trace:${traceOutline([part]).join('')}`));
    const resumed = await run.agent.resume(run.paused.sessionId, run.answers);
    expect(resumed.stopReason).toBe('end_turn');
    expect(heard).toEqual(handedOut);
    expect(traceOutline(resumed.trace)).toEqual(handedOut.filter((l) => l.startsWith('trace:')).map((l) => l.slice(6)));
  });

  it('a needsApproval check that throws counts as "needs approval"; a tool without run returns control', async () => {
    const input = z.object({ n: z.number() });
    const failing = tool({
      name: 'a',
      description: 'd',
      input,
      run: () => 1,
      needsApproval: () => {
        throw new Error('lookup failed');
      },
    });
    const ctx = {
      signal: new AbortController().signal,
      toolUseId: 't',
      runId: 'r',
      sessionId: 's',
      stepIndex: 0,
      session: { attributes: {}, set: () => undefined },
    };
    expect(await failing.needsApproval?.({ n: 1 }, ctx)).toBe(true);
    await expect(
      tool({ name: 'b', description: 'd', input, run: () => 1, needsApproval: () => false }).needsApproval?.({ n: 1 }, ctx),
    ).resolves.toBe(false);
    expect(tool({ name: 'c', description: 'd', input }).returnControl).toBe(true);
    expect(tool({ name: 'c', description: 'd', input, run: () => 1 }).returnControl).toBeUndefined();
    expect(tool({ name: 'c', description: 'd', input, run: () => 1, returnControl: true }).returnControl).toBe(true);
  });

  it('rejects tool definitions that cannot work', () => {
    const input = z.object({});
    expect(() => tool({ name: 'a', description: 'd', input, needsApproval: true })).toThrow(ToolDefinitionError);
    expect(() => tool({ name: 'a', description: 'd', input, run: () => 1, returnControl: true, needsApproval: true })).toThrow(
      /needs approval/,
    );
    expect(() => tool({ name: 'a', description: 'd', input, run: () => 1, needsApproval: 'yes' as never })).toThrow(/needsApproval/);
    expect(() => tool({ name: 'a', description: 'd', input, output: {} as never })).toThrow(/output must be a zod schema/);
  });
});
