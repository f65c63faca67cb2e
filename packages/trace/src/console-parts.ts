import type { TracePart } from '@novaloop/core';

// A collaborator's run (`agent.asTool()`) reaches the supervisor's listeners only as trace parts, so the
// console shows it from those: the same lines as a top-level run's (step header, rationale, tool calls,
// observations), made from the Agents-shaped parts instead of the run's events.

export interface PartFormat {
  /** A dim, padded label (`  tool call:   `). */
  label: (name: string) => string;
  paint: (code: 'bold' | 'red' | 'yellow' | 'cyan', text: string) => string;
  /** Redacted, on one line, shortened. */
  clean: (value: unknown) => string;
  cost: (usd: number | undefined | null) => string;
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Console lines of collaborators' parts, for one console sink. */
export class CollaboratorLines {
  /** Each step's model, by trace id, from its model input part until its output part names the step. */
  private readonly stepModels = new Map<string, string>();

  constructor(private readonly f: PartFormat) {}

  /**
   * The lines of one part of a collaborator's run. `costUsd` is the model call's cost when the
   * console also heard the collaborator's own events (the part itself carries none).
   */
  lines(part: TracePart, costUsd: number | undefined): string[] {
    const input = obj(obj((part.trace as Obj).orchestrationTrace)?.modelInvocationInput);
    const traceId = str(input?.traceId);
    if (input && traceId !== undefined) this.stepModels.set(traceId, str(input.foundationModel) ?? '');
    const output = obj(obj((part.trace as Obj).orchestrationTrace)?.modelInvocationOutput);
    const outputId = str(output?.traceId);
    const model = outputId !== undefined ? this.stepModels.get(outputId) : undefined;
    if (outputId !== undefined) this.stepModels.delete(outputId);
    return partLines(part, this.f, costUsd, model || undefined);
  }
}

function partLines(part: TracePart, f: PartFormat, costUsd: number | undefined, model: string | undefined): string[] {
  const kind = part.trace as Obj;
  const failure = obj(kind.failureTrace);
  if (failure) return [f.label('error') + f.paint('red', f.clean(`${str(failure.errorCode) ?? ''}: ${str(failure.failureReason) ?? ''}`))];
  const routing = obj(kind.routingClassifierTrace);
  if (routing) {
    const decision = obj(obj(routing.observation)?.routingDecision);
    if (!decision) return [];
    const reason = str(decision.reason);
    const usage = obj(decision.usage);
    return [
      f.label('route') +
        `${str(decision.route) ?? '?'} → ${str(decision.modelId) ?? '?'} (${str(decision.source) ?? '?'}${reason !== undefined ? `: ${f.clean(reason)}` : ''})` +
        (str(decision.classifierModelId) !== undefined
          ? `, classifier ${num(usage?.inputTokens)} in / ${num(usage?.outputTokens)} out tokens, ${f.cost(decision.costUsd as number | undefined)}`
          : ''),
    ];
  }
  const trace = obj(kind.orchestrationTrace);
  if (!trace) return [];
  const output = obj(trace.modelInvocationOutput);
  if (output) {
    const step = Number(/-(\d+)$/.exec(str(output.traceId) ?? '')?.[1] ?? 0);
    const metadata = obj(output.metadata);
    const usage = obj(metadata?.usage);
    return [
      f.paint('bold', `Step ${step + 1}`) +
        `  (${model !== undefined ? `${model}, ` : ''}${num(usage?.inputTokens)} in / ${num(usage?.outputTokens)} out tokens, ` +
        `${Math.round(num(metadata?.totalTimeMs))} ms, ${str(output.stopReason) ?? '?'}${costUsd !== undefined ? `, ${f.cost(costUsd)}` : ''})`,
    ];
  }
  const rationale = obj(trace.rationale);
  if (rationale) return [f.label('rationale') + f.clean(rationale.text)];
  const input = obj(trace.invocationInput);
  if (input) {
    const group = obj(input.actionGroupInvocationInput);
    const collaborator = obj(input.agentCollaboratorInvocationInput);
    const kb = obj(input.knowledgeBaseLookupInput);
    if (group) {
      const call = f.paint('cyan', str(group.function) ?? 'tool') + `(${f.clean(group.input ?? {})})`;
      return [
        // A paused call: run by the application, or (an ASK_USER part follows) waiting for its approval.
        group.executionType === 'RETURN_CONTROL'
          ? f.label('paused') + f.paint('yellow', `${call} handed to the application`)
          : f.label('tool call') + call,
      ];
    }
    if (collaborator)
      return [
        f.label('tool call') +
          f.paint('cyan', str(input.function) ?? 'collaborator') +
          `(${f.clean({ request: obj(collaborator.input)?.text })})`,
      ];
    if (kb) return [f.label('tool call') + f.paint('cyan', str(input.function) ?? 'knowledge base') + `(${f.clean({ query: kb.text })})`];
    return [];
  }
  const observation = obj(trace.observation);
  if (!observation) return [];
  const group = obj(observation.actionGroupInvocationOutput);
  if (group) {
    const text = f.clean(group.text ?? '');
    return [
      f.label('observation') + `${str(group.function) ?? 'tool'}: ` + (group.status === 'error' ? f.paint('red', `error: ${text}`) : text),
    ];
  }
  const collaborator = obj(observation.agentCollaboratorInvocationOutput);
  if (collaborator) {
    const text = f.clean(obj(collaborator.output)?.text ?? '');
    return [
      f.label('observation') +
        `${str(collaborator.agentCollaboratorName) ?? 'collaborator'}: ` +
        (observation.status === 'error' ? f.paint('red', `error: ${text}`) : text),
    ];
  }
  const kb = obj(observation.knowledgeBaseLookupOutput);
  if (kb) return [f.label('observation') + `${Array.isArray(kb.retrievedReferences) ? kb.retrievedReferences.length : 0} references`];
  const final = obj(observation.finalResponse);
  if (observation.type === 'ASK_USER') return [f.label('asks user') + f.paint('yellow', f.clean(final?.text ?? ''))];
  if (final) return [f.label('answer') + f.clean(final.text ?? '')];
  const reprompt = obj(observation.repromptResponse);
  if (reprompt) return [f.label('reprompt') + f.paint('yellow', f.clean(reprompt.text ?? ''))];
  return [];
}
