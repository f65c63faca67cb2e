import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';
import {
  resolveModel,
  startLocalBedrock,
  validateConverseRequest,
  type ConverseCall,
  type LocalBedrock,
  type ScriptTurn,
} from '@novaloop/bedrock-local';
import {
  Agent,
  SessionConflictError,
  SessionCorruptError,
  SessionInputError,
  tool,
  type PendingCall,
  type PendingState,
  type SessionStore,
} from '@novaloop/core';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { StoreSpec } from './fixtures/stores.js';

/** What one backend gives the shared suite. */
export interface StoreHarness {
  /** A store on the backend; the suite makes several to play separate workers. */
  create(): SessionStore;
  /** Writes unreadable data for a session that has 2 steps, straight through the backend's client. */
  corrupt(sessionId: string, kind: 'not-json' | 'not-a-message'): Promise<void>;
  /** How a child process opens the same backend; needed with `crossProcess: true`. */
  spec?: StoreSpec;
}

export interface SuiteOptions {
  /** false for a store that lives in one process: there is nothing to race or to survive. */
  crossProcess: boolean;
  /** false for a store that holds live objects rather than serialized data. */
  serialized: boolean;
}

const msg = (role: 'user' | 'assistant', text: string): Message => ({ role, content: [{ text }] });

/** A run paused on one approval and one return of control, one other call of its turn already answered. */
function pendingState(): PendingState {
  const invocationId = `inv-${randomUUID()}`;
  return {
    invocationId,
    runId: 'run-1',
    stopReason: 'return_control',
    stepIndex: 0,
    message: {
      role: 'assistant',
      content: [
        { reasoningContent: { redactedContent: new Uint8Array([1, 2, 255]) } },
        { toolUse: { toolUseId: 't1', name: 'restart_service', input: { service: 'api' } } },
        { toolUse: { toolUseId: 't2', name: 'ask_manager', input: { question: 'ok?' } } },
        { toolUse: { toolUseId: 't3', name: 'list_regions', input: {} } },
      ],
    },
    results: [{ toolUseId: 't3', content: [{ json: { regions: ['us-east-1'] } }] }],
    calls: [
      { invocationId, toolUseId: 't1', name: 'restart_service', input: { service: 'api' }, kind: 'approval' },
      { invocationId, toolUseId: 't2', name: 'ask_manager', input: { question: 'ok?' }, kind: 'return_control' },
    ],
    pausedAt: new Date(0).toISOString(),
  };
}
const exchange = (n: number): Message[] => [msg('user', `question ${n}`), msg('assistant', `answer ${n}`)];
const newId = () => `conf-${randomUUID()}`;

const WORKER = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));
// The worker runs in ONE node process with tsx as a loader, not under the tsx CLI, whose extra
// parent process would take the SIGKILL while the real worker lived on.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Every content block type a session can hold, with bytes whose every value 0–255 appears. */
export function everyBlockType(): Message[] {
  const image = new Uint8Array(512).map((_, i) => i % 256);
  const document = new Uint8Array(randomBytes(300));
  const toolUse: ContentBlock = {
    toolUse: {
      toolUseId: 'tooluse_abc123',
      name: 'query_database',
      // Keys that look like the codec's own tags must come back as plain JSON.
      input: { query: 'SELECT 1', nested: { list: [1, 2.5, null, true, 'ünïcödé ✓ 🚀'] }, tricky: { $b64: 'AAAA' }, escaped: { $obj: {} } },
    },
  };
  return [
    { role: 'user', content: [{ text: 'Look at this chart and this PDF.' }, { image: { format: 'png', source: { bytes: image } } }] },
    {
      role: 'assistant',
      content: [
        { reasoningContent: { reasoningText: { text: 'I should query.', signature: 'sig-1' } } },
        { text: '<thinking>query first</thinking>' },
        toolUse,
      ],
    },
    {
      role: 'user',
      content: [
        {
          toolResult: { toolUseId: 'tooluse_abc123', content: [{ json: { rows: [{ failed: 5 }], $b64: 'not bytes' } }], status: 'success' },
        },
        { toolResult: { toolUseId: 'tooluse_def456', content: [{ text: 'plain text result' }] } },
        { toolResult: { toolUseId: 'tooluse_ghi789', content: [{ text: 'Tool failed: timeout' }], status: 'error' } },
        { document: { format: 'pdf', name: 'report', source: { bytes: document } } },
        { cachePoint: { type: 'default' } },
      ],
    },
    { role: 'assistant', content: [{ reasoningContent: { redactedContent: new Uint8Array([0, 255, 7]) } }, { text: 'Done.' }] },
  ];
}

/**
 * The conformance suite: every case, against one backend. `harness()` is read once the backend is
 * up. `crossProcess: false` is for a store that lives in one process (nothing to race or survive).
 */
export function describeSessionStore(name: string, options: SuiteOptions, harness: () => StoreHarness): void {
  describe(`${name}: SessionStore conformance`, () => {
    it('an unknown session loads as undefined, and an append that names a version it never had conflicts', async () => {
      const store = harness().create();
      const id = newId();
      expect(await store.load(id)).toBeUndefined();
      const error = await store.append(id, exchange(1), 3).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionConflictError);
      expect(error).toMatchObject({ code: 'SESSION_CONFLICT', sessionId: id, expectedVersion: 3, actualVersion: 0 });
      expect(await store.load(id)).toBeUndefined();
    });

    it('appends in order with the version read; a stale version conflicts and writes nothing', async () => {
      const store = harness().create();
      const id = newId();
      expect(await store.append(id, exchange(1), 0)).toBe(1);
      expect(await store.append(id, exchange(2), 1)).toBe(2);
      const stale = await store.append(id, exchange(99), 1).catch((e: unknown) => e);
      expect(stale).toMatchObject({ code: 'SESSION_CONFLICT', expectedVersion: 1, actualVersion: 2 });
      const ahead = await store.append(id, exchange(99), 7).catch((e: unknown) => e);
      expect(ahead).toMatchObject({ code: 'SESSION_CONFLICT', expectedVersion: 7, actualVersion: 2 });
      expect(await store.append(id, [], 2)).toBe(3);
      const loaded = await store.load(id);
      expect(loaded).toEqual({ messages: [...exchange(1), ...exchange(2)], version: 3 });
      // Another store on the same backend sees the same session.
      expect(await harness().create().load(id)).toEqual(loaded);
    });

    it('round-trips every content block type, bytes as Uint8Array', async () => {
      const store = harness().create();
      const id = newId();
      const messages = everyBlockType();
      await store.append(id, messages.slice(0, 1), 0);
      await store.append(id, messages.slice(1), 1);
      const loaded = (await harness().create().load(id))?.messages ?? [];
      expect(loaded).toEqual(messages);
      const image = loaded[0]?.content?.[1]?.image?.source?.bytes;
      expect(image).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(image as Uint8Array).equals(Buffer.from(messages[0]?.content?.[1]?.image?.source?.bytes as Uint8Array))).toBe(
        true,
      );
      expect(loaded[3]?.content?.[0]?.reasoningContent?.redactedContent).toEqual(new Uint8Array([0, 255, 7]));
    });

    it('keeps the latest attributes and summary stored with an append', async () => {
      const store = harness().create();
      const id = newId();
      await store.append(id, exchange(1), 0, { attributes: { team: 'payments', limits: { rows: 10 } } });
      await store.append(id, exchange(2), 1, { summary: { messageCount: 2, text: 'They asked about payments.' } });
      await store.append(id, exchange(3), 2);
      expect(await store.load(id)).toMatchObject({
        version: 3,
        attributes: { team: 'payments', limits: { rows: 10 } },
        summary: { messageCount: 2, text: 'They asked about payments.' },
      });
      await store.append(id, [], 3, { attributes: { team: 'search' } });
      expect((await store.load(id))?.attributes).toEqual({ team: 'search' });
    });

    it('stores a paused run in the same append as its step, and an append with pending: null clears it', async () => {
      const store = harness().create();
      const id = newId();
      const pending = pendingState();
      await store.append(id, exchange(1), 0);
      await store.append(id, [msg('user', 'restart the api')], 1, { pending, attributes: { team: 'ops' } });
      const paused = await harness().create().load(id);
      expect(paused).toMatchObject({ version: 2, attributes: { team: 'ops' }, pending });
      expect(paused?.pending?.message).toEqual(pending.message);
      // Bytes inside the waiting message come back as bytes.
      expect(paused?.pending?.message.content?.[0]?.reasoningContent?.redactedContent).toEqual(new Uint8Array([1, 2, 255]));
      // Appends that say nothing about pending keep it.
      await store.append(id, [], 2, { attributes: { team: 'sre' } });
      expect((await store.load(id))?.pending).toEqual(pending);
      // A claim replaces it; of two resumes racing on one version, exactly one lands.
      const claims = await Promise.allSettled(
        ['a', 'b'].map((by) =>
          harness()
            .create()
            .append(id, [], 3, { pending: { ...pending, resumedBy: by } }),
        ),
      );
      expect(claims.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
      expect((await store.load(id))?.pending?.resumedBy).toMatch(/^[ab]$/);
      await store.append(id, [pending.message, msg('user', 'done')], 4, { pending: null });
      const resumed = await harness().create().load(id);
      expect(resumed?.pending).toBeUndefined();
      expect(resumed?.version).toBe(5);
      expect(resumed?.messages.at(-2)).toEqual(pending.message);
    });

    it('rejects a malformed pending state with SessionInputError and writes nothing', async () => {
      const store = harness().create();
      const id = newId();
      const bad = { invocationId: 'x', calls: 'none' } as never;
      await expect(store.append(id, exchange(1), 0, { pending: bad })).rejects.toMatchObject({ code: 'SESSION_INPUT' });
      expect(await store.load(id)).toBeUndefined();
    });

    it('of many appends racing at one version, exactly one lands', async () => {
      const id = newId();
      await harness().create().append(id, exchange(0), 0);
      const stores = Array.from({ length: 8 }, () => harness().create());
      const outcomes = await Promise.allSettled(stores.map((store, i) => store.append(id, exchange(i + 1), 1)));
      const landed = outcomes.filter((o) => o.status === 'fulfilled');
      expect(landed).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(SessionConflictError);
      const loaded = await stores[0]?.load(id);
      expect(loaded?.version).toBe(2);
      expect(loaded?.messages).toHaveLength(4);
    });

    it('rejects bad arguments with SessionInputError before touching the backend', async () => {
      const store = harness().create();
      await expect(store.load('')).rejects.toBeInstanceOf(SessionInputError);
      await expect(store.append('', exchange(1), 0)).rejects.toMatchObject({ code: 'SESSION_INPUT' });
      await expect(store.append(newId(), [{ role: 'system', content: [] } as never], 0)).rejects.toMatchObject({ code: 'SESSION_INPUT' });
      await expect(store.append(newId(), exchange(1), -1)).rejects.toMatchObject({ code: 'SESSION_INPUT' });
    });

    for (const kind of options.serialized ? (['not-json', 'not-a-message'] as const) : []) {
      it(`stored data that is ${kind} is a SessionCorruptError naming the session`, async () => {
        const store = harness().create();
        const id = newId();
        await store.append(id, exchange(1), 0);
        await store.append(id, exchange(2), 1);
        await harness().corrupt(id, kind);
        const error = await store.load(id).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SessionCorruptError);
        expect(error).toMatchObject({ code: 'SESSION_CORRUPT', sessionId: id, message: expect.stringMatching(/Delete the session/) });
      });
    }

    describe('with an Agent on bedrock-local', () => {
      let bedrock: LocalBedrock;
      let approvals: LocalBedrock;
      let team: LocalBedrock;
      beforeAll(async () => {
        bedrock = await startLocalBedrock({ script: INCIDENT_SCRIPT });
        approvals = await startLocalBedrock({ script: APPROVAL_SCRIPT });
        team = await startLocalBedrock({ responder: teamTurn });
      });
      afterAll(async () => {
        await bedrock.close();
        await approvals.close();
        await team.close();
      });

      it('stores every step of a run, and the next run continues the session', async () => {
        const store = harness().create();
        const id = newId();
        const agent = new Agent({ model: NOVA_PRO, memory: store, tools: fastTools, clientConfig: clientConfig(bedrock) });
        const first = await agent.run('Export the incident report for every region.', { sessionId: id });
        expect(first.stopReason).toBe('end_turn');
        const stored = await harness().create().load(id);
        expect(stored?.version).toBe(3);
        expect(stored?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
        assertValid(stored?.messages ?? []);
        const second = await agent.run('Thanks. Anything else?', { sessionId: id });
        expect(second.messages).toHaveLength(8);
        expect((await store.load(id))?.version).toBe(4);
        agent.close();
      });

      if (!options.crossProcess) return;

      it('two processes appending to one session at once: nothing lost, nothing duplicated, history valid', async () => {
        const spec = specOf(harness());
        const id = newId();
        const count = 25;
        const workers = ['A', 'B'].map((writer) => startWorker({ mode: 'append', store: spec, sessionId: id, writer, count }));
        await Promise.all(workers.map((worker) => worker.waitFor('READY')));
        for (const worker of workers) worker.process.stdin?.write('GO\n');
        const [a, b] = await Promise.all(workers.map((worker) => finished(worker)));
        const loaded = await harness().create().load(id);
        expect(loaded?.version).toBe(2 * count);
        const texts = (loaded?.messages ?? []).map((m) => m.content?.[0]?.text ?? '');
        for (const writer of ['A', 'B']) {
          const mine = texts.filter((t) => t.startsWith(`${writer}-`) && !t.endsWith(' ok'));
          expect(mine).toEqual(Array.from({ length: count }, (_, i) => `${writer}-${i}`));
        }
        // Each user message is followed by its own answer: the two writers' steps never interleave.
        for (let i = 0; i < texts.length; i += 2) expect(texts[i + 1]).toBe(`${texts[i]} ok`);
        assertValid(loaded?.messages ?? []);
        // Proof the writers really overlapped: at least one had to reload and try again.
        expect(JSON.parse(a ?? '{}').conflicts + JSON.parse(b ?? '{}').conflicts).toBeGreaterThan(0);
      });

      it('a run paused on an approval in one process is resumed in another; of two resuming at once exactly one wins', async () => {
        const spec = specOf(harness());
        const id = newId();
        const pauser = startWorker({ mode: 'pause', store: spec, sessionId: id, endpoint: approvals.endpoint });
        const paused = JSON.parse((await finished(pauser)) ?? '{}') as {
          stopReason: string;
          runId: string;
          pending: { toolUseId: string }[];
        };
        expect(paused.stopReason).toBe('needs_approval');
        expect(paused.pending).toHaveLength(1);
        const stored = await harness().create().load(id);
        expect(stored?.pending).toMatchObject({
          runId: paused.runId,
          calls: [{ name: 'restart_service', input: { service: 'prod-api' } }],
        });
        expect(pauser.output().stdout).not.toMatch(/RESTARTED/);

        const toolUseId = paused.pending[0]?.toolUseId;
        const resumers = [1, 2].map(() =>
          startWorker({ mode: 'resume', store: spec, sessionId: id, endpoint: approvals.endpoint, toolUseId }),
        );
        await Promise.all(resumers.map((worker) => worker.waitFor('READY')));
        for (const worker of resumers) worker.process.stdin?.write('GO\n');
        const outcomes = (await Promise.all(resumers.map((worker) => finished(worker)))).map((line) => JSON.parse(line ?? '{}'));
        const won = outcomes.filter((o) => o.stopReason === 'end_turn');
        expect(won).toEqual([{ stopReason: 'end_turn', text: 'prod-api is restarted.', runId: paused.runId, steps: [1] }]);
        // The loser: a conflict when the two overlapped (as they do here), or "nothing pending" had it come after.
        const lost = outcomes.filter((o) => o.stopReason === undefined);
        expect(lost.map((o) => o.code)).toEqual([expect.stringMatching(/^RESUME_(CONFLICT|NOTHING_PENDING)$/)]);
        // The approved tool ran once, in one process.
        const restarts = resumers.flatMap((worker) => worker.output().stdout.match(/RESTARTED prod-api/g) ?? []);
        expect(restarts).toHaveLength(1);

        const after = await harness().create().load(id);
        expect(after?.pending).toBeUndefined();
        expect(after?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
        validateConverseRequest({ messages: after?.messages ?? [], toolConfig: { tools: [restartSpec] } }, resolveModel(NOVA_PRO));
      });

      it('a pause inside a collaborator pauses the supervisor in one process; another resumes both from the store', async () => {
        const spec = specOf(harness());
        const id = newId();
        const pauser = startWorker({ mode: 'collaborator', store: spec, sessionId: id, endpoint: team.endpoint });
        const paused = JSON.parse((await finished(pauser)) ?? '{}') as { stopReason: string; runId: string; pending: PendingCall[] };
        expect(paused.stopReason).toBe('needs_approval');
        expect(paused.pending).toEqual([expect.objectContaining({ name: 'restart_service', kind: 'approval', collaborator: ['billing'] })]);
        const stored = await harness().create().load(id);
        expect(stored?.pending?.collaborators).toEqual([
          expect.objectContaining({ name: 'billing', sessionId: `${id}:billing`, invocationId: paused.pending[0]?.invocationId }),
        ]);
        expect((await harness().create().load(`${id}:billing`))?.pending?.invocationId).toBe(paused.pending[0]?.invocationId);

        const resumer = startWorker({
          mode: 'collaborator',
          store: spec,
          sessionId: id,
          endpoint: team.endpoint,
          toolUseId: paused.pending[0]?.toolUseId,
        });
        const resumed = JSON.parse((await finished(resumer)) ?? '{}') as {
          stopReason: string;
          runId: string;
          text: string;
          steps: number[];
        };
        expect(resumed).toMatchObject({
          stopReason: 'end_turn',
          runId: paused.runId,
          text: 'Supervisor: billing restarted prod-api.',
          steps: [1],
        });
        expect(resumer.output().stdout.match(/RESTARTED prod-api/g)).toHaveLength(1);
        for (const session of [id, `${id}:billing`]) {
          const after = await harness().create().load(session);
          expect(after?.pending).toBeUndefined();
          expect(after?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
        }
      });

      it('a process killed with SIGKILL mid-run leaves its last complete step, and a new run continues it', async () => {
        const spec = specOf(harness());
        const id = newId();
        const child = startWorker({ mode: 'agent', store: spec, sessionId: id, endpoint: bedrock.endpoint });
        await child.waitFor('SLOW_TOOL_STARTED');
        child.process.kill('SIGKILL');
        // The process running the Agent itself died, mid-tool, without any chance to clean up.
        expect(await child.signal).toBe('SIGKILL');
        expect(() => process.kill(child.process.pid as number, 0)).toThrow();

        const store = harness().create();
        const stored = await store.load(id);
        // Step 1 (list_regions and its result) was complete; step 2 died inside export_report.
        expect(stored?.version).toBe(1);
        expect(stored?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
        expect(stored?.messages[1]?.content?.some((b) => b.toolUse?.name === 'list_regions')).toBe(true);

        const agent = new Agent({ model: NOVA_PRO, memory: store, tools: fastTools, clientConfig: clientConfig(bedrock) });
        const result = await agent.run('Please go on.', { sessionId: id });
        agent.close();
        expect(result.stopReason).toBe('end_turn');
        expect(result.steps.map((s) => s.toolCalls.map((c) => c.name))).toEqual([['export_report'], []]);
        assertValid(result.messages);
        const after = await store.load(id);
        expect(after?.version).toBe(3);
        expect(after?.messages.slice(0, 3)).toEqual(stored?.messages);
      });
    });
  });
}

const NOVA_PRO = 'us.amazon.nova-pro-v1:0';

function specOf(harness: StoreHarness): StoreSpec {
  if (!harness.spec) throw new Error('crossProcess: true needs a harness with a spec for the worker processes');
  return harness.spec;
}

/** Three turns, answered by the number of assistant messages already in the request. */
const INCIDENT_SCRIPT = {
  turns: [
    { content: [{ text: '<thinking>Regions first.</thinking>' }, { toolUse: { toolUseId: 'auto', name: 'list_regions', input: {} } }] },
    { content: [{ toolUse: { toolUseId: 'auto', name: 'export_report', input: { region: 'us-east-1' } } }] },
    { content: [{ text: 'The report is exported for us-east-1 and eu-west-1.' }] },
    { content: [{ text: 'Nothing else for now.' }] },
  ],
};

/** A supervisor (Pro) that asks its billing collaborator (Lite), which restarts prod-api (with approval). */
function teamTurn(call: ConverseCall): ScriptTurn {
  const answered = (call.body as { messages: Message[] }).messages.at(-1)?.content?.some((block) => block.toolResult !== undefined);
  if (call.modelId.includes('nova-lite')) {
    if (answered) return { content: [{ text: 'billing restarted prod-api.' }] };
    return { content: [{ toolUse: { toolUseId: 'auto', name: 'restart_service', input: { service: 'prod-api' } } }] };
  }
  if (answered) return { content: [{ text: 'Supervisor: billing restarted prod-api.' }] };
  return { content: [{ toolUse: { toolUseId: 'auto', name: 'billing', input: { request: 'Restart prod-api.' } } }] };
}

const APPROVAL_SCRIPT = {
  turns: [
    { content: [{ toolUse: { toolUseId: 'auto', name: 'restart_service', input: { service: 'prod-api' } } }] },
    { content: [{ text: 'prod-api is restarted.' }] },
  ],
};
const restartSpec = {
  toolSpec: {
    name: 'restart_service',
    description: 'Restart a service',
    inputSchema: { json: { type: 'object', properties: { service: { type: 'string' } }, required: ['service'] } },
  },
};

const fastTools = [
  tool({ name: 'list_regions', description: 'List the AWS regions', input: z.object({}), run: () => ({ regions: ['us-east-1'] }) }),
  tool({ name: 'export_report', description: 'Export the report', input: z.object({ region: z.string() }), run: () => 'exported' }),
];

const clientConfig = (bedrock: LocalBedrock) => ({ endpoint: bedrock.endpoint, region: 'us-east-1', credentials: CREDENTIALS });

function assertValid(messages: Message[]): void {
  validateConverseRequest({ messages, toolConfig: { tools: fastTools.map((t) => t.spec) } }, resolveModel(NOVA_PRO));
}

interface WorkerJob {
  mode: 'append' | 'agent' | 'pause' | 'resume' | 'collaborator';
  store: StoreSpec;
  sessionId: string;
  [key: string]: unknown;
}

function startWorker(job: WorkerJob) {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, '--conditions=@novaloop/source', WORKER, JSON.stringify(job)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let stdout = '';
  let stderr = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters.splice(0)) {
      if (stdout.includes(waiter.line)) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const signal = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, killedBy) => resolve(killedBy)));
  return {
    process: child,
    exited,
    signal,
    output: () => ({ stdout, stderr }),
    waitFor(line: string): Promise<void> {
      if (stdout.includes(line)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.push({ line, resolve });
        void exited.then((code) => reject(new Error(`worker exited (${code}) before printing ${line}:\n${stderr}`)));
      });
    },
  };
}

/** The last line a worker printed, once it exited cleanly. */
async function finished(child: ReturnType<typeof startWorker>): Promise<string | undefined> {
  const code = await child.exited;
  const { stdout, stderr } = child.output();
  if (code !== 0) throw new Error(`worker exited with ${code}:\n${stderr}`);
  return stdout.trim().split('\n').at(-1);
}
