import type { TraceLine } from '../trace-line.js';

// What the viewer draws, built from trace lines. Reads every field defensively: lines may come from
// older or newer novaloop versions (tool input as `input` or as Agents' `parameters` list, string or
// numeric failure codes, knowledge-base lookups), or from elsewhere. Whatever is not understood is
// kept as JSON under `other`, never dropped.

export interface ModelCallView {
  attempt: number;
  model: string;
  start: number;
  end: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  stopReason: string | null;
  costUsd: number | null;
  error: string | null;
}

export interface ToolCallView {
  id: string;
  name: string;
  kind: string;
  input: unknown;
  output: string | null;
  status: string;
  start: number;
  end: number | null;
  error: string | null;
}

export interface StepView {
  index: number;
  start: number;
  end: number;
  model: string | null;
  rationale: string | null;
  answer: string | null;
  calls: ModelCallView[];
  tools: ToolCallView[];
  retries: { attempt: number; reason: string; delayMs: number; error: string }[];
  reprompts: string[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  stopReason: string | null;
  failure: { code: string; reason: string } | null;
  failed: boolean;
  other: unknown[];
}

export interface RunView {
  id: string;
  sessionId: string;
  start: number;
  end: number;
  input: string | null;
  answer: string | null;
  stopReason: string | null;
  model: string | null;
  failed: boolean;
  failure: { code: string; reason: string } | null;
  /** False when the file holds no end of this run (still running, or its process died). */
  complete: boolean;
  steps: StepView[];
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  other: unknown[];
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const time = (value: unknown): number | null => {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
};

/** Agents' reshaped tool input is `parameters: [{ name, type, value }]`; novaloop's own is `input`. */
function toolInput(input: Obj): unknown {
  if ('input' in input) return input.input;
  if (Array.isArray(input.parameters)) {
    const out: Obj = {};
    for (const parameter of input.parameters) {
      const p = obj(parameter);
      const name = str(p?.name);
      if (name !== null) out[name] = p?.value;
    }
    return out;
  }
  if (obj(input.requestBody)) return input.requestBody;
  return {};
}

/** Groups `lines` into runs, in the order their first line appears. */
export function buildRunViews(lines: readonly TraceLine[]): RunView[] {
  const runs = new Map<string, { view: RunView; current: number; steps: Map<number, StepView>; totalsKnown: boolean }>();

  for (const line of lines) {
    const at = time(line.eventTime) ?? 0;
    let state = runs.get(line.runId);
    if (!state) {
      state = {
        view: {
          id: line.runId,
          sessionId: str(line.sessionId) ?? '',
          start: at,
          end: at,
          input: null,
          answer: null,
          stopReason: null,
          model: null,
          failed: false,
          failure: null,
          complete: false,
          steps: [],
          inputTokens: 0,
          outputTokens: 0,
          costUsd: null,
          other: [],
        },
        current: 0,
        steps: new Map(),
        totalsKnown: false,
      };
      runs.set(line.runId, state);
    }
    const run = state.view;
    run.start = Math.min(run.start, at);
    run.end = Math.max(run.end, at);
    const extra = obj(line.novaloop);
    const trace = obj(line.trace) ?? {};
    const orchestration = obj(trace.orchestrationTrace);
    const traceIdOf = (value: unknown) => str(obj(value)?.traceId);
    const firstValue = orchestration ? Object.values(orchestration)[0] : Object.values(trace)[0];
    const fromTraceId = /-(\d+)$/.exec(traceIdOf(firstValue) ?? '')?.[1];
    const stepIndex = num(extra?.step) ?? (fromTraceId !== undefined && orchestration ? Number(fromTraceId) : state.current);
    const step = (index: number = stepIndex): StepView => {
      let view = state.steps.get(index);
      if (!view) {
        view = {
          index,
          start: at,
          end: at,
          model: null,
          rationale: null,
          answer: null,
          calls: [],
          tools: [],
          retries: [],
          reprompts: [],
          inputTokens: 0,
          outputTokens: 0,
          costUsd: null,
          stopReason: null,
          failure: null,
          failed: false,
          other: [],
        };
        state.steps.set(index, view);
      }
      view.start = Math.min(view.start, at);
      view.end = Math.max(view.end, at);
      state.current = index;
      return view;
    };

    if (trace.customOrchestrationTrace !== undefined && extra && typeof extra.event === 'string' && extra.event !== 'part') {
      switch (extra.event) {
        case 'run-start':
          run.input = str(extra.input);
          break;
        case 'step-start':
          step();
          break;
        case 'retry': {
          const s = step();
          const error = obj(extra.error);
          const message = [str(error?.code), str(error?.message)].filter(Boolean).join(': ');
          s.retries.push({
            attempt: num(extra.attempt) ?? 0,
            reason: str(extra.reason) ?? '',
            delayMs: num(extra.delayMs) ?? 0,
            error: message,
          });
          const open = [...s.calls].reverse().find((call) => call.end === null);
          if (open) {
            open.end = at;
            open.error = message;
          }
          break;
        }
        case 'step-end': {
          const s = step();
          const start = time(extra.startTime);
          const end = time(extra.endTime);
          if (start !== null) s.start = Math.min(s.start, start);
          if (end !== null) s.end = Math.max(s.end, end);
          const usage = obj(extra.usage);
          s.inputTokens = num(usage?.inputTokens) ?? s.inputTokens;
          s.outputTokens = num(usage?.outputTokens) ?? s.outputTokens;
          s.costUsd = num(extra.costUsd) ?? s.costUsd;
          s.stopReason = str(extra.stopReason) ?? s.stopReason;
          s.model = str(extra.modelId) ?? s.model;
          break;
        }
        case 'run-end': {
          run.complete = true;
          run.stopReason = str(extra.stopReason);
          const usage = obj(extra.usage);
          if (usage) {
            run.inputTokens = num(usage.inputTokens) ?? 0;
            run.outputTokens = num(usage.outputTokens) ?? 0;
          }
          run.costUsd = num(extra.costUsd);
          state.totalsKnown = true;
          break;
        }
        default:
          run.other.push(line.trace);
      }
      continue;
    }

    if (orchestration) {
      const s = step();
      const input = obj(orchestration.modelInvocationInput);
      const output = obj(orchestration.modelInvocationOutput);
      const rationale = obj(orchestration.rationale);
      const invocation = obj(orchestration.invocationInput);
      const observation = obj(orchestration.observation);
      if (input) {
        const model = str(input.foundationModel) ?? '';
        s.model ??= model;
        run.model ??= model;
        s.calls.push({
          attempt: num(input.attempt) ?? s.calls.length + 1,
          model,
          start: at,
          end: null,
          inputTokens: null,
          outputTokens: null,
          stopReason: null,
          costUsd: null,
          error: null,
        });
      } else if (output) {
        const call = [...s.calls].reverse().find((c) => c.end === null) ?? s.calls.at(-1);
        const metadata = obj(output.metadata);
        const usage = obj(metadata?.usage);
        if (call) {
          call.end = at;
          call.inputTokens = num(usage?.inputTokens);
          call.outputTokens = num(usage?.outputTokens);
          call.stopReason = str(output.stopReason);
          call.costUsd = num(extra?.costUsd);
        }
        s.inputTokens = num(usage?.inputTokens) ?? s.inputTokens;
        s.outputTokens = num(usage?.outputTokens) ?? s.outputTokens;
        s.stopReason = str(output.stopReason) ?? s.stopReason;
        if (num(extra?.costUsd) !== null) s.costUsd = num(extra?.costUsd);
      } else if (rationale) {
        const text = str(rationale.text);
        if (text !== null) s.rationale = s.rationale ? `${s.rationale}\n${text}` : text;
      } else if (invocation) {
        const group = obj(invocation.actionGroupInvocationInput);
        const kb = obj(invocation.knowledgeBaseLookupInput);
        const type = str(invocation.invocationType) ?? '';
        if (group) {
          s.tools.push({
            id: str(group.invocationId) ?? '',
            name: str(group.function) ?? str(group.apiPath) ?? str(group.actionGroupName) ?? 'tool',
            kind: 'ACTION_GROUP',
            input: toolInput(group),
            output: null,
            status: 'running',
            start: at,
            end: null,
            error: null,
          });
        } else if (kb) {
          s.tools.push({
            id: str(kb.invocationId) ?? str(invocation.traceId) ?? '',
            name: `knowledge base ${str(kb.knowledgeBaseId) ?? ''}`.trim(),
            kind: 'KNOWLEDGE_BASE',
            input: { text: kb.text, ...(kb.knowledgeBaseId !== undefined ? { knowledgeBaseId: kb.knowledgeBaseId } : {}) },
            output: null,
            status: 'running',
            start: at,
            end: null,
            error: null,
          });
        } else if (type !== 'FINISH') {
          s.other.push(orchestration);
        }
      } else if (observation) {
        const group = obj(observation.actionGroupInvocationOutput);
        const kb = obj(observation.knowledgeBaseLookupOutput);
        const final = obj(observation.finalResponse);
        const reprompt = obj(observation.repromptResponse);
        if (group || kb) {
          const id = str(group?.invocationId) ?? str(kb?.invocationId);
          const kind = group ? 'ACTION_GROUP' : 'KNOWLEDGE_BASE';
          const tool =
            s.tools.find((t) => t.end === null && id !== null && t.id === id) ?? s.tools.find((t) => t.end === null && t.kind === kind);
          const outputText = group ? (str(group.text) ?? JSON.stringify(group)) : JSON.stringify(kb?.retrievedReferences ?? kb);
          const status = str(group?.status) ?? (extra && typeof extra.error === 'string' ? 'error' : 'success');
          const error = str(extra?.error);
          if (tool) {
            tool.end = at;
            tool.output = outputText;
            tool.status = status;
            tool.error = error ?? (status === 'error' ? outputText : null);
          } else {
            s.tools.push({
              id: id ?? '',
              name: str(group?.function) ?? kind,
              kind,
              input: null,
              output: outputText,
              status,
              start: at,
              end: at,
              error,
            });
          }
        } else if (final && observation.type !== 'ASK_USER') {
          // ASK_USER's finalResponse is an approval question, not the run's answer.
          s.answer = str(final.text);
          run.answer = s.answer;
        } else if (reprompt) {
          s.reprompts.push(str(reprompt.text) ?? JSON.stringify(reprompt));
        } else {
          s.other.push(orchestration);
        }
      } else {
        s.other.push(orchestration);
      }
      continue;
    }

    const failure = obj(trace.failureTrace);
    if (failure) {
      const s = step();
      s.failure = { code: str(failure.errorCode) ?? str(failure.failureCode) ?? '', reason: str(failure.failureReason) ?? '' };
      run.failure = s.failure;
      run.failed = true;
      run.complete = true;
      for (const call of s.calls)
        if (call.end === null) {
          call.end = at;
          call.error = s.failure.reason;
        }
      continue;
    }
    // Anything else (another Agents trace kind, a custom trace from elsewhere): kept for display as JSON.
    (state.steps.size > 0 ? step() : run).other.push(line.trace);
  }

  return [...runs.values()].map(({ view, steps, totalsKnown }) => {
    view.steps = [...steps.values()].sort((a, b) => a.index - b.index);
    let cost: number | null = null;
    for (const s of view.steps) {
      for (const tool of s.tools) if (tool.end !== null) s.end = Math.max(s.end, tool.end);
      s.failed = s.failure !== null || s.tools.some((tool) => tool.status === 'error');
      if (s.costUsd !== null) cost = (cost ?? 0) + s.costUsd;
      if (!totalsKnown) {
        view.inputTokens += s.inputTokens;
        view.outputTokens += s.outputTokens;
      }
      view.end = Math.max(view.end, s.end);
    }
    if (!totalsKnown) view.costUsd = cost;
    view.failed = view.failed || view.steps.some((s) => s.failure !== null);
    return view;
  });
}
