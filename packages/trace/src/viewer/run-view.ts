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
  /** 'ACTION_GROUP', 'KNOWLEDGE_BASE' or 'AGENT_COLLABORATOR'. */
  kind: string;
  input: unknown;
  output: string | null;
  /** 'success', 'error', 'running', or 'waiting' (handed to the application, or waiting for approval). */
  status: string;
  start: number;
  end: number | null;
  error: string | null;
  /** 'RETURN_CONTROL' for a call the application ran; 'LAMBDA' for one the agent ran (an approved call too). */
  executionType: string | null;
  /** The approval question (an ASK_USER observation). */
  question: string | null;
  /** When the run paused on it, and when a resumed run answered it. */
  pausedAt: number | null;
  resumedAt: number | null;
  /** For a collaborator call: its name, its run's id, and the run itself when the file holds it. */
  collaboratorName: string | null;
  collaboratorRunId: string | null;
  collaborator: RunView | null;
}

/** A cascade's routing before step 1: the classifier's call and the decision. */
export interface RoutingView {
  start: number;
  end: number;
  route: string | null;
  model: string | null;
  /** 'classifier', 'rule' or 'fallback'. */
  source: string | null;
  /** Why the fallback was taken. */
  reason: string | null;
  classifierModel: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  latencyMs: number | null;
  /** Classifier requests made (retries included). */
  attempts: number;
}

/** A pause: the run waits on the application (calls to run, or to approve), and the resume that answered it. */
export interface PauseView {
  /** Index of the step that paused. */
  step: number;
  invocationId: string;
  /** 'return_control' or 'needs_approval'. */
  stopReason: string;
  /** `collaborator`: for a call inside a collaborator whose pause paused this run, the collaborator names down to it. */
  calls: { toolUseId: string; name: string; kind: string; collaborator: string[] | null }[];
  at: number;
  /** When a resumed run answered it; null while the run still waits. */
  resumedAt: number | null;
}

/** Tokens and cost of one model over a run (novaloop's `usageByModel`). */
export interface ModelUsageView {
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
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
  /** For a collaborator's run: the supervisor's run, and the collaborator's name. */
  parentRunId: string | null;
  collaboratorName: string | null;
  /** A cascade's routing, before step 1. */
  routing: RoutingView | null;
  /** Every pause of the run, in order; a resumed run keeps the paused run's id and goes on in the same view. */
  pauses: PauseView[];
  /** True while the run's last pause has no resume in the file: it waits on the application. */
  waiting: boolean;
  /** Tokens and cost per model, summed over the run's starts (when the file records them). */
  usageByModel: ModelUsageView[] | null;
  /** Collaborator runs whose supervisor's tool call is not in the file (else they hang off that call). */
  collaborators: RunView[];
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
  const runs = new Map<string, { view: RunView; current: number; steps: Map<number, StepView>; totalsKnown: boolean; ends: number }>();

  for (const line of lines) {
    const at = time(line.eventTime) ?? 0;
    let state = runs.get(line.runId);
    if (!state) {
      state = {
        view: {
          id: line.runId,
          sessionId: str(line.sessionId) ?? '',
          parentRunId: str(line.parentRunId),
          collaboratorName: str(line.collaboratorName),
          routing: null,
          pauses: [],
          waiting: false,
          usageByModel: null,
          collaborators: [],
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
        ends: 0,
      };
      runs.set(line.runId, state);
    }
    const run = state.view;
    run.parentRunId ??= str(line.parentRunId);
    run.collaboratorName ??= str(line.collaboratorName);
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
          // A resumed run's start has no prompt (its input is the answers): keep the first run's.
          if (str(extra.resumes) === null || run.input === null) run.input = str(extra.input) || run.input;
          // Going on again: not over until this start's run-end.
          if (str(extra.resumes) !== null) run.complete = false;
          break;
        case 'pause': {
          const calls = (Array.isArray(extra.calls) ? extra.calls : []).map((value) => {
            const call = obj(value);
            const path = Array.isArray(call?.collaborator) ? call.collaborator.map((name) => str(name) ?? '') : null;
            return { toolUseId: str(call?.toolUseId) ?? '', name: str(call?.name) ?? '', kind: str(call?.kind) ?? '', collaborator: path };
          });
          run.pauses.push({
            step: num(extra.step) ?? state.current,
            invocationId: str(extra.invocationId) ?? '',
            stopReason: str(extra.stopReason) ?? '',
            calls,
            at,
            resumedAt: null,
          });
          break;
        }
        case 'resume': {
          const invocationId = str(extra.invocationId);
          const pause = run.pauses.find((p) => p.invocationId === invocationId && p.resumedAt === null);
          if (pause) pause.resumedAt = at;
          if (num(extra.step) !== null) state.current = num(extra.step) ?? state.current;
          break;
        }
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
          // A paused run ends once per start: its totals are the sum of each start's.
          const first = state.ends === 0;
          state.ends++;
          run.complete = true;
          run.stopReason = str(extra.stopReason);
          const usage = obj(extra.usage);
          run.inputTokens = (first ? 0 : run.inputTokens) + (num(usage?.inputTokens) ?? 0);
          run.outputTokens = (first ? 0 : run.outputTokens) + (num(usage?.outputTokens) ?? 0);
          const cost = num(extra.costUsd);
          run.costUsd = first ? cost : run.costUsd === null || cost === null ? null : run.costUsd + cost;
          addModelUsage(run, obj(extra.usageByModel));
          state.totalsKnown = true;
          break;
        }
        default:
          run.other.push(line.trace);
      }
      continue;
    }

    const routing = obj(trace.routingClassifierTrace);
    if (routing) {
      const view = (run.routing ??= {
        start: at,
        end: at,
        route: null,
        model: null,
        source: null,
        reason: null,
        classifierModel: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        latencyMs: null,
        attempts: 0,
      });
      view.start = Math.min(view.start, at);
      view.end = Math.max(view.end, at);
      const input = obj(routing.modelInvocationInput);
      const decision = obj(obj(routing.observation)?.routingDecision);
      if (input) {
        view.attempts++;
        view.classifierModel = str(input.foundationModel) ?? view.classifierModel;
      } else if (decision) {
        const usage = obj(decision.usage);
        view.route = str(decision.route);
        view.model = str(decision.modelId);
        view.source = str(decision.source);
        view.reason = str(decision.reason);
        view.classifierModel = str(decision.classifierModelId) ?? view.classifierModel;
        view.inputTokens = num(usage?.inputTokens);
        view.outputTokens = num(usage?.outputTokens);
        view.costUsd = num(decision.costUsd);
        view.latencyMs = num(decision.latencyMs);
      } else if (!obj(routing.modelInvocationOutput)) {
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
        const collaborator = obj(invocation.agentCollaboratorInvocationInput);
        const type = str(invocation.invocationType) ?? '';
        if (group) {
          const id = str(group.invocationId) ?? '';
          const executionType = str(group.executionType);
          const paused = s.tools.find((t) => t.id === id && t.status === 'waiting');
          if (paused && executionType !== 'RETURN_CONTROL') {
            // An approved call runs when the resumed run starts: the same call, now executing.
            paused.status = 'running';
            paused.executionType = executionType;
            paused.resumedAt = at;
            paused.start = at;
          } else {
            const waiting = executionType === 'RETURN_CONTROL';
            s.tools.push({
              ...newTool(id, str(group.function) ?? str(group.apiPath) ?? str(group.actionGroupName) ?? 'tool', 'ACTION_GROUP', at),
              input: toolInput(group),
              status: waiting ? 'waiting' : 'running',
              executionType,
              pausedAt: waiting ? at : null,
            });
          }
        } else if (kb) {
          s.tools.push({
            ...newTool(str(kb.invocationId) ?? str(invocation.invocationId) ?? str(invocation.traceId) ?? '', '', 'KNOWLEDGE_BASE', at),
            name: `knowledge base ${str(kb.knowledgeBaseId) ?? ''}`.trim(),
            input: { text: kb.text, ...(kb.knowledgeBaseId !== undefined ? { knowledgeBaseId: kb.knowledgeBaseId } : {}) },
          });
        } else if (collaborator) {
          const name = str(collaborator.agentCollaboratorName) ?? str(invocation.function) ?? 'collaborator';
          s.tools.push({
            ...newTool(str(invocation.invocationId) ?? '', str(invocation.function) ?? name, 'AGENT_COLLABORATOR', at),
            input: { request: str(obj(collaborator.input)?.text) ?? collaborator.input },
            collaboratorName: name,
          });
        } else if (type !== 'FINISH') {
          s.other.push(orchestration);
        }
      } else if (observation) {
        const group = obj(observation.actionGroupInvocationOutput);
        const kb = obj(observation.knowledgeBaseLookupOutput);
        const collaborator = obj(observation.agentCollaboratorInvocationOutput);
        const final = obj(observation.finalResponse);
        const reprompt = obj(observation.repromptResponse);
        if (collaborator) {
          const id = str(observation.invocationId);
          const tool =
            s.tools.find((t) => t.end === null && id !== null && t.id === id) ??
            s.tools.find((t) => t.end === null && t.kind === 'AGENT_COLLABORATOR');
          const outputText = str(obj(collaborator.output)?.text) ?? JSON.stringify(collaborator.output ?? null);
          const status = str(observation.status) ?? (extra && typeof extra.error === 'string' ? 'error' : 'success');
          const view = tool ?? newTool(id ?? '', str(collaborator.agentCollaboratorName) ?? 'collaborator', 'AGENT_COLLABORATOR', at);
          if (!tool) s.tools.push(view);
          view.end = at;
          view.output = outputText;
          view.status = status;
          view.error = str(extra?.error) ?? (status === 'error' ? outputText : null);
          view.collaboratorName ??= str(collaborator.agentCollaboratorName);
          view.collaboratorRunId = str(observation.collaboratorRunId);
        } else if (observation.type === 'ASK_USER') {
          // The approval question of a call the run waits on; not the run's answer.
          const id = str(observation.toolUseId);
          const tool = s.tools.find((t) => t.id === id && t.status === 'waiting');
          if (tool) tool.question = str(final?.text);
          else s.other.push(orchestration);
        } else if (group || kb) {
          const id = str(group?.invocationId) ?? str(kb?.invocationId) ?? str(observation.invocationId);
          const kind = group ? 'ACTION_GROUP' : 'KNOWLEDGE_BASE';
          const tool =
            s.tools.find((t) => t.end === null && id !== null && t.id === id) ?? s.tools.find((t) => t.end === null && t.kind === kind);
          const outputText = group ? (str(group.text) ?? JSON.stringify(group)) : JSON.stringify(kb?.retrievedReferences ?? kb);
          const status = str(group?.status) ?? (extra && typeof extra.error === 'string' ? 'error' : 'success');
          const error = str(extra?.error);
          const answered = tool ?? s.tools.find((t) => t.id === id && t.status === 'waiting');
          if (answered) {
            // A call handed to the application is answered by the resumed run: the wait ends here.
            if (answered.status === 'waiting') answered.resumedAt = at;
            answered.end = at;
            answered.output = outputText;
            answered.status = status;
            answered.error = error ?? (status === 'error' ? outputText : null);
          } else {
            s.tools.push({ ...newTool(id ?? '', str(group?.function) ?? kind, kind, at), output: outputText, status, end: at, error });
          }
        } else if (final) {
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

  const views = [...runs.values()].map(({ view, steps, totalsKnown }) => {
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
    if (!totalsKnown && view.routing) {
      view.inputTokens += view.routing.inputTokens ?? 0;
      view.outputTokens += view.routing.outputTokens ?? 0;
      if (view.routing.costUsd !== null && view.costUsd !== null) view.costUsd += view.routing.costUsd;
    }
    if (view.model === null && view.routing?.model) view.model = view.routing.model;
    view.failed = view.failed || view.steps.some((s) => s.failure !== null);
    const last = view.pauses.at(-1);
    view.waiting = last !== undefined && last.resumedAt === null;
    return view;
  });
  return nestCollaborators(views);
}

function newTool(id: string, name: string, kind: string, at: number): ToolCallView {
  return {
    id,
    name,
    kind,
    input: null,
    output: null,
    status: 'running',
    start: at,
    end: null,
    error: null,
    executionType: null,
    question: null,
    pausedAt: null,
    resumedAt: null,
    collaboratorName: null,
    collaboratorRunId: null,
    collaborator: null,
  };
}

/** Adds a run-end's `usageByModel` to the run's (a resumed run's starts each record their own). */
function addModelUsage(run: RunView, byModel: Obj | undefined): void {
  if (!byModel) return;
  const rows = (run.usageByModel ??= []);
  for (const [model, value] of Object.entries(byModel)) {
    const entry = obj(value);
    const usage = obj(entry?.usage);
    const cost = num(entry?.costUsd);
    const row = rows.find((r) => r.model === model);
    if (!row) {
      rows.push({ model, inputTokens: num(usage?.inputTokens) ?? 0, outputTokens: num(usage?.outputTokens) ?? 0, costUsd: cost });
      continue;
    }
    row.inputTokens += num(usage?.inputTokens) ?? 0;
    row.outputTokens += num(usage?.outputTokens) ?? 0;
    row.costUsd = row.costUsd === null || cost === null ? null : row.costUsd + cost;
  }
}

/**
 * Hangs each collaborator's run off the supervisor's tool call that started it (by the run id its
 * AGENT_COLLABORATOR observation names, else the first call of that collaborator still without a run),
 * or off the supervisor's run when no such call is in the file. Only runs without a parent in the file
 * stay at the top level.
 */
function nestCollaborators(views: RunView[]): RunView[] {
  const byId = new Map(views.map((view) => [view.id, view]));
  const top: RunView[] = [];
  for (const view of views) {
    const parent = view.parentRunId !== null ? byId.get(view.parentRunId) : undefined;
    if (!parent || parent === view) {
      top.push(view);
      continue;
    }
    const calls = parent.steps.flatMap((s) => s.tools).filter((t) => t.kind === 'AGENT_COLLABORATOR');
    const call =
      calls.find((t) => t.collaboratorRunId === view.id) ??
      calls.find((t) => t.collaborator === null && t.collaboratorRunId === null && t.collaboratorName === view.collaboratorName);
    if (call) {
      call.collaborator = view;
      call.collaboratorRunId = view.id;
    } else {
      parent.collaborators.push(view);
    }
  }
  return top;
}
