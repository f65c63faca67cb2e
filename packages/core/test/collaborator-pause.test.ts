import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';
import type { ConverseCall, LocalBedrock, ScriptTurn } from '@novaloop/bedrock-local';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  InMemorySessionStore,
  NothingPendingError,
  ResumeConflictError,
  ResumeInputError,
  SessionPausedError,
  tool,
  type AgentEvent,
  type OrchestrationTrace,
  type SessionStore,
  type TracePart,
} from '../src/index.js';
import { assertValidHistory, bodies, NOVA_PRO, say, useBedrock, useTool } from './helpers.js';

const NOVA_LITE = 'us.amazon.nova-lite-v1:0';
const NOVA_MICRO = 'us.amazon.nova-micro-v1:0';

let refunds: string[] = [];
const refund = tool({
  name: 'refund',
  description: 'Refund an invoice',
  input: z.object({ invoice: z.string() }),
  needsApproval: true,
  run: ({ invoice }) => {
    refunds.push(invoice);
    return `${invoice} refunded`;
  },
});
/** No `run`: the application answers it, with a result its output schema accepts. */
const askCustomer = tool({
  name: 'ask_customer',
  description: 'Ask the customer a question',
  input: z.object({ question: z.string() }),
  output: z.object({ answer: z.string() }),
});
const askManager = tool({ name: 'ask_manager', description: 'Ask the manager', input: z.object({ question: z.string() }) });

const lastMessage = (call: ConverseCall) => (call.body as { messages: Message[] }).messages.at(-1);
const textOf = (blocks: ContentBlock[] | undefined) => (blocks ?? []).flatMap((b) => (b.text !== undefined ? [b.text] : [])).join(' ');
/** The tool results of the last message, as text, or undefined when it has none. */
function resultsOf(call: ConverseCall): string | undefined {
  const results = (lastMessage(call)?.content ?? []).flatMap((b) => (b.toolResult ? [b.toolResult] : []));
  if (results.length === 0) return undefined;
  return results.map((r) => (r.content ?? []).map((c) => c.text ?? JSON.stringify(c.json)).join('')).join(' | ');
}

/**
 * The supervisor (Pro): asks billing with its prompt, or, by the prompt's words, asks the manager as
 * well ('mix'), asks billing twice ('twice'), asks the middle collaborator ('nested'), or answers itself
 * ('yourself'); once it has results, it answers with them.
 */
function supervisorTurn(call: ConverseCall): ScriptTurn {
  const prompt = textOf(lastMessage(call)?.content);
  if (!prompt) return say(`Supervisor: ${resultsOf(call)}`);
  if (prompt.includes('yourself')) return say('I answer this myself.');
  if (prompt.includes('nested')) return useTool('middle', { request: prompt });
  const billing = { toolUse: { toolUseId: 'auto', name: 'billing', input: { request: prompt } } };
  if (prompt.includes('mix')) {
    return { content: [{ toolUse: { toolUseId: 'auto', name: 'ask_manager', input: { question: 'Refund?' } } }, billing] };
  }
  if (prompt.includes('twice')) return { content: [billing, billing] };
  return { content: [billing] };
}

/** A collaborator: calls `ask_customer` when asked to ask, else refunds inv-1 (and inv-2 after it, when told 'again'); then answers. */
function collaboratorTurn(name: string) {
  return (call: ConverseCall): ScriptTurn => {
    const request = textOf(lastMessage(call)?.content);
    if (request) {
      return request.includes('ask the customer')
        ? useTool('ask_customer', { question: 'Which card?' })
        : useTool('refund', { invoice: 'inv-1' });
    }
    const results = resultsOf(call) ?? '';
    const first = textOf((call.body as { messages: Message[] }).messages[0]?.content);
    if (first.includes('again') && call.turnIndex === 1 && !results.includes('denied')) return useTool('refund', { invoice: 'inv-2' });
    return say(`${name}: ${results}`);
  };
}

function responder(call: ConverseCall): ScriptTurn {
  if (call.modelId === NOVA_LITE) return collaboratorTurn('Billing')(call);
  if (call.modelId === NOVA_MICRO) return collaboratorTurn('Deep')(call);
  return supervisorTurn(call);
}

/** Nested: the middle collaborator (Lite) passes every request on to `deep` (Micro), then answers with its answer. */
function nestedResponder(call: ConverseCall): ScriptTurn {
  if (call.modelId === NOVA_LITE) {
    const results = resultsOf(call);
    if (results !== undefined) return say(`Middle: ${results}`);
    return useTool('deep', { request: textOf(lastMessage(call)?.content) });
  }
  return responder(call);
}

const orchestration = (part: TracePart) => ('orchestrationTrace' in part.trace ? part.trace.orchestrationTrace : undefined);
/** Each part as `kind:type`, prefixed with its collaborator's name when it is one's. */
const outline = (parts: TracePart[]) =>
  parts.flatMap((part) => {
    const o = orchestration(part) as (OrchestrationTrace & Record<string, { type?: string; invocationType?: string }>) | undefined;
    if (!o) return [];
    const [kind, value] = Object.entries(o)[0] as [string, { type?: string; invocationType?: string }];
    return [`${part.collaboratorName ? `${part.collaboratorName}>` : ''}${kind}:${value.invocationType ?? value.type ?? ''}`];
  });

describe('a pause inside a collaborator pauses its supervisor', () => {
  const { start, agentOn } = useBedrock();

  /** The same definitions every time: a resume may come from a fresh set of agents on the same store. */
  function team(server: LocalBedrock, store: SessionStore) {
    const billing = agentOn(server, { model: NOVA_LITE, tools: [refund, askCustomer], memory: store });
    const supervisor = agentOn(server, {
      tools: [billing.asTool({ name: 'billing', description: 'Answers billing questions and refunds invoices' }), askManager],
      memory: store,
    });
    return { billing, supervisor };
  }

  function nestedTeam(server: LocalBedrock, store: SessionStore) {
    const deep = agentOn(server, { model: NOVA_MICRO, tools: [refund], memory: store });
    const middle = agentOn(server, { model: NOVA_LITE, tools: [deep.asTool({ name: 'deep', description: 'Refunds' })], memory: store });
    return agentOn(server, { tools: [middle.asTool({ name: 'middle', description: 'Billing desk' })], memory: store });
  }

  it('an approval inside a collaborator: the supervisor pauses with its call, and an approval resumes both', async () => {
    refunds = [];
    const server = await start({ responder });
    const store = new InMemorySessionStore();
    const { supervisor } = team(server, store);
    const paused = await supervisor.run('Refund inv-1', { sessionId: 'acct-1' });

    expect(paused.stopReason).toBe('needs_approval');
    expect(paused.pending).toEqual([
      {
        invocationId: expect.any(String),
        toolUseId: expect.stringMatching(/^tooluse_/),
        name: 'refund',
        input: { invoice: 'inv-1' },
        kind: 'approval',
        collaborator: ['billing'],
      },
    ]);
    expect(refunds).toEqual([]);
    // The call as the collaborator stored it, and the supervisor's call waiting on that pause.
    const [call] = paused.pending;
    const billingStored = await store.load('acct-1:billing');
    const { collaborator: _path, ...asStored } = call ?? { collaborator: [] };
    expect(billingStored?.pending?.calls).toEqual([asStored]);
    expect(billingStored?.pending?.invocationId).toBe(call?.invocationId);
    const stored = await store.load('acct-1');
    const billingCall = paused.steps[0]?.message.content?.find((b) => b.toolUse)?.toolUse;
    expect(stored?.pending?.invocationId).not.toBe(call?.invocationId);
    expect(stored?.pending?.collaborators).toEqual([
      {
        toolUseId: billingCall?.toolUseId,
        name: 'billing',
        sessionId: 'acct-1:billing',
        invocationId: call?.invocationId,
        calls: [call?.toolUseId],
      },
    ]);
    expect(stored?.messages.map((m) => m.role)).toEqual(['user']);
    // The collaborator's ASK_USER reaches the supervisor's trace, nested; the supervisor adds none of its own.
    expect(outline(paused.trace)).toEqual([
      'modelInvocationInput:ORCHESTRATION',
      'modelInvocationOutput:',
      'invocationInput:AGENT_COLLABORATOR',
      'billing>modelInvocationInput:ORCHESTRATION',
      'billing>modelInvocationOutput:',
      'billing>invocationInput:ACTION_GROUP',
      'billing>observation:ASK_USER',
    ]);
    const ask = paused.trace.at(-1);
    expect(ask?.parentRunId).toBe(paused.runId);
    expect(orchestration(ask as TracePart)).toMatchObject({
      observation: { type: 'ASK_USER', toolUseId: call?.toolUseId, invocationId: call?.invocationId },
    });

    const resumed = await supervisor.resume('acct-1', [
      { toolUseId: call?.toolUseId ?? '', invocationId: call?.invocationId, approve: true },
    ]);
    expect(resumed.stopReason).toBe('end_turn');
    expect(resumed.text).toBe('Supervisor: Billing: inv-1 refunded');
    expect(refunds).toEqual(['inv-1']);
    expect(resumed.runId).toBe(paused.runId);
    expect(resumed.steps.map((s) => s.index)).toEqual([1]);
    expect(resumed.pending).toEqual([]);
    // The collaborator's resumed run is nested in the supervisor's trace, before the call's observation.
    expect(outline(resumed.trace)).toEqual([
      'billing>invocationInput:ACTION_GROUP',
      'billing>observation:ACTION_GROUP',
      'billing>modelInvocationInput:ORCHESTRATION',
      'billing>modelInvocationOutput:',
      'billing>invocationInput:FINISH',
      'billing>observation:FINISH',
      'observation:AGENT_COLLABORATOR',
      'modelInvocationInput:ORCHESTRATION',
      'modelInvocationOutput:',
      'invocationInput:FINISH',
      'observation:FINISH',
    ]);
    const billingRun = ask?.runId;
    expect(resumed.trace.filter((p) => p.collaboratorName).every((p) => p.runId === billingRun && p.parentRunId === paused.runId)).toBe(
      true,
    );
    expect(
      resumed.trace.map(orchestration).find((o) => o && 'observation' in o && o.observation.type === 'AGENT_COLLABORATOR'),
    ).toMatchObject({
      observation: {
        status: 'success',
        collaboratorRunId: billingRun,
        agentCollaboratorInvocationOutput: { output: { text: 'Billing: inv-1 refunded' } },
      },
    });
    // Both sessions are whole and valid, neither paused.
    const after = await store.load('acct-1');
    const billingAfter = await store.load('acct-1:billing');
    expect(after?.pending).toBeUndefined();
    expect(billingAfter?.pending).toBeUndefined();
    expect(after?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(billingAfter?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    assertValidHistory(after?.messages ?? [], [refund]);
    assertValidHistory(billingAfter?.messages ?? [], [refund]);
    // Costs of the collaborator's resumed run roll up into the supervisor's.
    expect(Object.keys(resumed.usageByModel).sort()).toEqual([NOVA_LITE, NOVA_PRO].sort());

    // A second resume is a typed error that changes nothing, in either session.
    const again = await supervisor.resume('acct-1', [{ toolUseId: call?.toolUseId ?? '', approve: true }]).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(NothingPendingError);
    expect(refunds).toEqual(['inv-1']);
    expect(await store.load('acct-1:billing')).toEqual(billingAfter);
  });

  it('a denial inside a collaborator: the tool never runs, the collaborator reads the reason, the supervisor its answer', async () => {
    refunds = [];
    const server = await start({ responder });
    const { supervisor } = team(server, new InMemorySessionStore());
    const paused = await supervisor.run('Refund inv-1');
    const resumed = await supervisor.resume(paused.sessionId, [
      { toolUseId: paused.pending[0]?.toolUseId ?? '', approve: false, reason: 'over the limit' },
    ]);
    expect(resumed.stopReason).toBe('end_turn');
    expect(refunds).toEqual([]);
    expect(resumed.text).toMatch(/^Supervisor: Billing: The user denied this call of refund: over the limit/);
    const billingSaw = bodies(server)
      .filter((_, i) => server.requests[i]?.modelId === NOVA_LITE)[1]
      ?.messages.at(-1)?.content?.[0];
    expect(billingSaw?.toolResult).toMatchObject({ status: 'error', content: [{ text: expect.stringMatching(/denied.*over the limit/) }] });
  });

  it('return of control inside a collaborator: bad answers are the usual typed errors and change nothing; a good one resumes', async () => {
    const server = await start({ responder });
    const store = new InMemorySessionStore();
    const { supervisor } = team(server, store);
    const paused = await supervisor.run('Please ask the customer which card', { sessionId: 'acct-2' });
    expect(paused.stopReason).toBe('return_control');
    const [call] = paused.pending;
    expect(call).toMatchObject({
      name: 'ask_customer',
      kind: 'return_control',
      input: { question: 'Which card?' },
      collaborator: ['billing'],
    });
    // RETURN_CONTROL reaches the supervisor's trace, nested.
    expect(outline(paused.trace).at(-1)).toBe('billing>invocationInput:ACTION_GROUP');
    const nestedInput = orchestration(paused.trace.at(-1) as TracePart) as { invocationInput: { actionGroupInvocationInput: unknown } };
    expect(nestedInput.invocationInput.actionGroupInvocationInput).toMatchObject({
      executionType: 'RETURN_CONTROL',
      function: 'ask_customer',
    });

    const id = call?.toolUseId ?? '';
    const before = [await store.load('acct-2'), await store.load('acct-2:billing')];
    const cases: [unknown, string][] = [
      [[{ toolUseId: 'tooluse_nope', result: { answer: 'x' } }], 'RESUME_UNKNOWN_CALL'],
      [[], 'RESUME_MISSING_RESULT'],
      [[{ toolUseId: id, approve: true }], 'RESUME_INVALID_ANSWER'],
      [[{ toolUseId: id, invocationId: 'stale', result: { answer: 'x' } }], 'RESUME_NOTHING_PENDING'],
      [
        [{ toolUseId: id, invocationId: (await store.load('acct-2'))?.pending?.invocationId, result: { answer: 'x' } }],
        'RESUME_INVALID_ANSWER',
      ],
      // The output schema is the collaborator's tool's: the collaborator checks it, before anything is written.
      [[{ toolUseId: id, result: { answer: 7 } }], 'RESUME_OUTPUT_INVALID'],
    ];
    for (const [answers, code] of cases) {
      const error = await supervisor.resume('acct-2', answers as never).catch((e: unknown) => e);
      expect(error, code).toBeInstanceOf(code === 'RESUME_NOTHING_PENDING' ? NothingPendingError : ResumeInputError);
      expect(error).toMatchObject({ code, message: expect.stringMatching(/Nothing was changed/) });
    }
    expect([await store.load('acct-2'), await store.load('acct-2:billing')]).toEqual(before);
    expect(server.requests).toHaveLength(2);
    // A run on the paused supervisor names the collaborator's call.
    await expect(supervisor.run('Something else', { sessionId: 'acct-2' })).rejects.toMatchObject({
      code: 'SESSION_PAUSED',
      pending: paused.pending,
      message: expect.stringMatching(/billing\/ask_customer/),
    });

    const resumed = await supervisor.resume('acct-2', [{ toolUseId: id, result: { answer: 'the Visa' } }]);
    expect(resumed.text).toBe('Supervisor: Billing: {"answer":"the Visa"}');
    assertValidHistory((await store.load('acct-2:billing'))?.messages ?? [], [askCustomer]);
  });

  it('two resumes of a nested pause at once: exactly one wins, the other gets a typed conflict, the tool runs once', async () => {
    refunds = [];
    const server = await start({ responder });
    const store = new InMemorySessionStore();
    const paused = await team(server, store).supervisor.run('Refund inv-1', { sessionId: 'acct-3' });
    const answers = [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true as const }];
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => team(server, store).supervisor.resume('acct-3', answers)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ResumeConflictError);
    expect(refunds).toEqual(['inv-1']);
    assertValidHistory((await store.load('acct-3'))?.messages ?? [], [refund]);
    assertValidHistory((await store.load('acct-3:billing'))?.messages ?? [], [refund]);
  });

  it("a supervisor tool's pause and a collaborator's in one turn: one pause, both answered in one resume", async () => {
    refunds = [];
    const server = await start({ responder });
    const { supervisor } = team(server, new InMemorySessionStore());
    const paused = await supervisor.run('mix: refund inv-1');
    expect(paused.stopReason).toBe('return_control');
    expect(paused.pending.map((c) => [c.name, c.kind, c.collaborator])).toEqual([
      ['ask_manager', 'return_control', undefined],
      ['refund', 'approval', ['billing']],
    ]);
    // Each call carries its own pause's invocation: the supervisor's, and the collaborator's.
    expect(paused.pending[0]?.invocationId).not.toBe(paused.pending[1]?.invocationId);
    // The supervisor's own pause is traced as before, the collaborator's inside its nested parts.
    expect(outline(paused.trace).filter((l) => l.includes('ASK_USER') || l.endsWith('ACTION_GROUP'))).toEqual([
      'billing>invocationInput:ACTION_GROUP',
      'billing>observation:ASK_USER',
      'invocationInput:ACTION_GROUP',
    ]);

    const [manager, refundCall] = paused.pending;
    const resumed = await supervisor.resume(paused.sessionId, [
      { toolUseId: refundCall?.toolUseId ?? '', approve: true },
      { toolUseId: manager?.toolUseId ?? '', result: 'yes, refund it' },
    ]);
    expect(resumed.stopReason).toBe('end_turn');
    expect(refunds).toEqual(['inv-1']);
    // The supervisor's model got both results, in the order it asked.
    expect(resumed.text).toBe('Supervisor: yes, refund it | Billing: inv-1 refunded');
  });

  it('two calls of one collaborator in one turn: the first pauses, the second is told to wait', async () => {
    const server = await start({ responder });
    const { supervisor } = team(server, new InMemorySessionStore());
    const paused = await supervisor.run('twice: refund inv-1');
    expect(paused.stopReason).toBe('needs_approval');
    expect(paused.pending).toHaveLength(1);
    expect(paused.steps[0]?.toolCalls).toEqual([
      expect.objectContaining({
        name: 'billing',
        status: 'error',
        error: expect.stringMatching(/waiting on the user for an earlier request/),
      }),
    ]);
    const resumed = await supervisor.resume(paused.sessionId, [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true }]);
    expect(resumed.text).toMatch(/^Supervisor: Billing: inv-1 refunded \| The billing collaborator is waiting/);
  });

  it('nested: a collaborator of a collaborator pauses all three, resumed by fresh agents on the same store, pausing again on the way', async () => {
    refunds = [];
    const server = await start({ responder: nestedResponder });
    const store = new InMemorySessionStore();
    const paused = await nestedTeam(server, store).run('nested: refund inv-1, then again', { sessionId: 'acct-4' });
    expect(paused.stopReason).toBe('needs_approval');
    expect(paused.pending).toEqual([
      expect.objectContaining({ name: 'refund', input: { invoice: 'inv-1' }, collaborator: ['middle', 'deep'] }),
    ]);
    const deepStored = await store.load('acct-4:middle:deep');
    expect(deepStored?.pending?.invocationId).toBe(paused.pending[0]?.invocationId);
    expect((await store.load('acct-4:middle'))?.pending?.collaborators?.[0]).toMatchObject({
      name: 'deep',
      sessionId: 'acct-4:middle:deep',
    });
    // The deep parts come nested twice: their parentRunId is the middle run's.
    const ask = paused.trace.find((p) => orchestration(p) && 'observation' in orchestration(p)! && outline([p])[0]?.endsWith('ASK_USER'));
    expect(ask?.collaboratorName).toBe('deep');
    const middleRun = paused.trace.find((p) => p.collaboratorName === 'middle')?.runId;
    expect(ask?.parentRunId).toBe(middleRun);

    // Another process: the same definitions, new agents, the same store. Deep refunds inv-1 and asks for inv-2: everyone pauses again.
    const first = paused.pending[0];
    const firstPause = (await store.load('acct-4'))?.pending?.invocationId;
    const again = await nestedTeam(server, store).resume('acct-4', [{ toolUseId: first?.toolUseId ?? '', approve: true }]);
    expect(refunds).toEqual(['inv-1']);
    expect(again.stopReason).toBe('needs_approval');
    expect(again.runId).toBe(paused.runId);
    expect(again.steps).toEqual([]);
    expect(again.pending).toEqual([
      expect.objectContaining({ name: 'refund', input: { invoice: 'inv-2' }, collaborator: ['middle', 'deep'] }),
    ]);
    const stored = await store.load('acct-4');
    expect(stored?.pending?.invocationId).not.toBe(firstPause);
    expect(stored?.pending?.stepIndex).toBe(0);
    expect(stored?.messages.map((m) => m.role)).toEqual(['user']);
    // The old invocation is gone.
    await expect(
      nestedTeam(server, store).resume('acct-4', [{ toolUseId: first?.toolUseId ?? '', invocationId: first?.invocationId, approve: true }]),
    ).rejects.toMatchObject({ code: 'RESUME_NOTHING_PENDING' });

    const done = await nestedTeam(server, store).resume('acct-4', [{ toolUseId: again.pending[0]?.toolUseId ?? '', approve: true }]);
    expect(done.stopReason).toBe('end_turn');
    expect(refunds).toEqual(['inv-1', 'inv-2']);
    expect(done.text).toBe('Supervisor: Middle: Deep: inv-2 refunded');
    expect(done.steps.map((s) => s.index)).toEqual([1]);
    for (const id of ['acct-4', 'acct-4:middle', 'acct-4:middle:deep']) {
      const session = await store.load(id);
      expect(session?.pending, id).toBeUndefined();
      assertValidHistory(session?.messages ?? [], [refund]);
    }
  });

  it('abandonPending on the supervisor answers its waiting call with an error; the collaborator drops its pause when next called', async () => {
    refunds = [];
    const server = await start({ responder });
    const store = new InMemorySessionStore();
    const { supervisor } = team(server, store);
    const paused = await supervisor.run('Refund inv-1', { sessionId: 'acct-5' });
    await expect(supervisor.run('yourself', { sessionId: 'acct-5' })).rejects.toBeInstanceOf(SessionPausedError);

    const fresh = await supervisor.run('Answer yourself', { sessionId: 'acct-5', abandonPending: true });
    expect(fresh.stopReason).toBe('end_turn');
    const sent = bodies(server).at(-1)?.messages.at(-1)?.content ?? [];
    expect(sent[0]?.toolResult).toMatchObject({ status: 'error', content: [{ text: expect.stringMatching(/billing was abandoned/) }] });
    expect((await store.load('acct-5'))?.pending).toBeUndefined();
    assertValidHistory((await store.load('acct-5'))?.messages ?? [], [refund]);
    // The collaborator was not called: its session still holds the pause nobody waits on, and the old answer is refused.
    expect((await store.load('acct-5:billing'))?.pending?.invocationId).toBe(paused.pending[0]?.invocationId);
    await expect(supervisor.resume('acct-5', [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true }])).rejects.toMatchObject({
      code: 'RESUME_NOTHING_PENDING',
    });

    // The next call of the collaborator abandons that pause the same way, and asks anew.
    const next = await supervisor.run('Refund inv-3', { sessionId: 'acct-5' });
    expect(next.stopReason).toBe('needs_approval');
    const billingSaw = bodies(server).at(-1)?.messages.at(-1)?.content ?? [];
    expect(billingSaw[0]?.toolResult).toMatchObject({
      status: 'error',
      content: [{ text: expect.stringMatching(/refund was abandoned/) }],
    });
    expect(billingSaw.at(-1)).toEqual({ text: 'Refund inv-3' });
    expect((await store.load('acct-5:billing'))?.pending?.invocationId).toBe(next.pending[0]?.invocationId);
    expect(refunds).toEqual([]);
  });

  it('an abort while resuming leaves both pauses as they were', async () => {
    const server = await start({ responder });
    const store = new InMemorySessionStore();
    const { supervisor } = team(server, store);
    const paused = await supervisor.run('Refund inv-1', { sessionId: 'acct-6' });
    const before = [await store.load('acct-6'), await store.load('acct-6:billing')];
    const answers = [{ toolUseId: paused.pending[0]?.toolUseId ?? '', approve: true as const }];
    const aborted = await supervisor.resume('acct-6', answers, { signal: AbortSignal.abort() });
    expect(aborted.stopReason).toBe('aborted');
    expect(aborted.pending).toEqual(paused.pending);
    expect([await store.load('acct-6'), await store.load('acct-6:billing')]).toEqual(before);
    expect((await supervisor.resume('acct-6', answers)).stopReason).toBe('end_turn');
  });

  it('stream() and streamResume() hand out exactly what run() and resume() deliver to listeners', async () => {
    const label = (event: AgentEvent) => (event.type === 'trace' ? `trace:${outline([event.part]).join('')}` : event.type);
    const types = [
      'run-start',
      'step-start',
      'model-request',
      'model-response',
      'tool-start',
      'tool-end',
      'collaborator-trace',
      'pause',
      'resume',
      'step-end',
      'run-end',
    ] as const;

    const streamed: string[] = [];
    const server1 = await start({ responder });
    const first = team(server1, new InMemorySessionStore()).supervisor;
    const stream = first.stream('mix: refund inv-1');
    let next = await stream.next();
    for (; !next.done; next = await stream.next()) streamed.push(label(next.value));
    const paused1 = next.value;
    const answers1 = paused1.pending.map((c) =>
      c.kind === 'approval' ? { toolUseId: c.toolUseId, approve: true as const } : { toolUseId: c.toolUseId, result: 'yes' },
    );
    const resumeStream = first.streamResume(paused1.sessionId, answers1);
    let more = await resumeStream.next();
    for (; !more.done; more = await resumeStream.next()) streamed.push(label(more.value));
    expect(more.value.stopReason).toBe('end_turn');

    const heard: string[] = [];
    const server2 = await start({ responder });
    const second = team(server2, new InMemorySessionStore()).supervisor;
    for (const type of types) second.events.on(type as 'pause', (event: AgentEvent) => heard.push(label(event)));
    second.events.on('trace', (part) => heard.push(`trace:${outline([part]).join('')}`));
    const paused2 = await second.run('mix: refund inv-1');
    const answers2 = paused2.pending.map((c) =>
      c.kind === 'approval' ? { toolUseId: c.toolUseId, approve: true as const } : { toolUseId: c.toolUseId, result: 'yes' },
    );
    expect((await second.resume(paused2.sessionId, answers2)).stopReason).toBe('end_turn');

    expect(heard).toEqual(streamed.filter((l) => l.startsWith('trace:') || (types as readonly string[]).includes(l)));
    expect(streamed).toContain('pause');
    expect(streamed).toContain('collaborator-trace');
    expect(streamed.filter((l) => l === 'trace:billing>observation:ASK_USER')).toHaveLength(1);
  });

  it('a supervisor with a collaborator that may pause keeps its session even without a session id', async () => {
    const server = await start({ responder });
    const billing = agentOn(server, { model: NOVA_LITE, tools: [refund] });
    const supervisor = agentOn(server, { tools: [billing.asTool({ name: 'billing', description: 'Billing' })] });
    const paused = await supervisor.run('Refund inv-1');
    expect(paused.stopReason).toBe('needs_approval');
    expect((await supervisor.memory.load(paused.sessionId))?.pending).toBeDefined();
    expect((await billing.memory.load(`${paused.sessionId}:billing`))?.pending).toBeDefined();
  });
});
