import { toolResultText, type TracePart } from '@novaloop/core';
import { CollaboratorLines } from './console-parts.js';
import type { TraceSink } from './jsonl-sink.js';
import { listen } from './listen.js';
import { createRedactor, type RedactOptions } from './redact.js';

export interface ConsoleTraceSinkOptions {
  /** Where lines go (default: `process.stdout`, one `write` a line). */
  out?: (line: string) => void;
  /** ANSI colour; default: only when writing to `process.stdout` and it is a TTY (and `NO_COLOR` is unset). */
  color?: boolean;
  /** Longest value shown (rationale, tool input, observation, error); longer ones end with `…`. Default 240. */
  maxChars?: number;
  /** What to hide before anything is printed (default: the built-in keys and patterns); `false` prints everything. */
  redact?: RedactOptions | false;
  /** Print a line when a run ends (stop reason, steps, tokens, cost, wall time). Default true. */
  runSummary?: boolean;
}

const ANSI = {
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
  green: '\x1b[32m',
  reset: '\x1b[0m',
};

/**
 * A readable live view of every run: each step's header (tokens, model ms, stop reason, cost), its
 * rationale, tool calls with their input, observations, retries and errors. A collaborator's run
 * (`agent.asTool()`) is printed indented under the supervisor's call, each line naming it. When
 * several runs overlap, each line starts with the (top-level) run's id.
 */
export function consoleTraceSink(options: ConsoleTraceSinkOptions = {}): TraceSink {
  const write = options.out ?? ((line: string) => process.stdout.write(line + '\n'));
  const color = options.color ?? (options.out === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR);
  const max = options.maxChars ?? 240;
  const redact = createRedactor(options.redact);
  const paint = (code: keyof typeof ANSI, text: string) => (color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
  const clean = (value: unknown): string => {
    const redacted = redact(value);
    const text = typeof redacted === 'string' ? redacted : JSON.stringify(redacted);
    return shorten(oneLine(text ?? ''), max);
  };
  const label = (name: string) => paint('dim', `  ${`${name}:`.padEnd(13)}`);

  // Per run: tool calls in the current step (to name parallel observations) and the start time.
  // `requested`: it has sent a model request. Only such runs count as overlapping: a collaborator
  // heard through its own agent starts before its first part says whose collaborator it is.
  const runs = new Map<string, { toolCalls: number; startedAt: number; requested?: boolean }>();
  const overlapping = () => {
    let count = 0;
    for (const run of runs.values()) if (run.requested) count++;
    return count > 1;
  };
  const detachers = new Set<() => void>();
  // Collaborator runs, from their parts: how deep, their name, and the top-level run they serve.
  const collaborators = new Map<string, { depth: number; name: string; root: string; costUsd: number | undefined }>();
  // A collaborator's part comes twice when the console hears both agents (the same object): print it once.
  const printed = new WeakSet<object>();
  const partLines = new CollaboratorLines({
    label,
    paint,
    clean,
    cost: formatCost,
  });

  const printPart = (part: TracePart) => {
    if (part.parentRunId === undefined || printed.has(part)) return;
    printed.add(part);
    let run = collaborators.get(part.runId);
    if (!run) {
      const parent = collaborators.get(part.parentRunId);
      run = {
        depth: (parent?.depth ?? 0) + 1,
        name: part.collaboratorName ?? 'collaborator',
        root: parent?.root ?? part.parentRunId,
        costUsd: undefined,
      };
      collaborators.set(part.runId, run);
      // Heard through its own agent too: it is not a run of its own in the prefix count.
      runs.delete(part.runId);
    }
    const isOutput = 'orchestrationTrace' in part.trace && 'modelInvocationOutput' in part.trace.orchestrationTrace;
    const lines = partLines.lines(part, isOutput ? run.costUsd : undefined);
    if (isOutput) run.costUsd = undefined;
    const prefix = overlapping() ? paint('dim', `[${run.root.slice(0, 8)}] `) : '';
    const indent = '    '.repeat(run.depth) + paint('dim', `${run.name} › `);
    for (const line of lines) write(prefix + indent + line);
  };

  const attach: TraceSink['attach'] = (agent) => {
    const detach = listen(agent, (event) => {
      if (event.type === 'trace') return printPart(event.part);
      const collaborator = collaborators.get(event.runId);
      if (collaborator) {
        // A collaborator's own events (the console hears its agent too): its parts say it all, but
        // only these carry the model calls' cost.
        if (event.type === 'model-response') collaborator.costUsd = event.costUsd;
        if (event.type === 'run-end' || event.type === 'error') collaborators.delete(event.runId);
        return;
      }
      if (event.type === 'model-request') {
        const run = runs.get(event.runId);
        if (run) run.requested = true;
        return;
      }
      const prefix = overlapping() ? paint('dim', `[${event.runId.slice(0, 8)}] `) : '';
      const out = (line: string) => write(prefix + line);
      switch (event.type) {
        case 'run-start':
          runs.set(event.runId, { toolCalls: 0, startedAt: Date.now() });
          return;
        case 'model-response': {
          const run = runs.get(event.runId);
          const { inputTokens, outputTokens } = event.usage;
          out('');
          if (event.purpose === 'routing') {
            // A cascade's classifier: not a step; its tool call is the route, shown by the 'route' event.
            out(
              paint('bold', 'Routing') +
                `  (${event.modelId}, ${inputTokens} in / ${outputTokens} out tokens, ${Math.round(event.latencyMs)} ms, ${formatCost(event.costUsd)})`,
            );
            return;
          }
          if (run) run.toolCalls = event.message.content?.filter((block) => block.toolUse !== undefined).length ?? 0;
          out(
            paint('bold', `Step ${event.stepIndex + 1}`) +
              `  (${inputTokens} in / ${outputTokens} out tokens, ${Math.round(event.latencyMs)} ms, ${event.stopReason}, ${formatCost(event.costUsd)})`,
          );
          return;
        }
        case 'retry':
          out(
            label('retry') +
              paint(
                'yellow',
                `attempt ${event.attempt} in ${Math.round(event.delayMs)} ms after ${clean(`${event.error.code}: ${event.error.message}`)}`,
              ),
          );
          return;
        case 'route': {
          const { decision } = event;
          out(
            label('route') +
              `${decision.route} → ${decision.modelId} (${decision.source}${decision.reason !== undefined ? `: ${clean(decision.reason)}` : ''})`,
          );
          return;
        }
        case 'rationale':
          out(label('rationale') + clean(event.text));
          return;
        case 'tool-start':
          out(label('tool call') + paint('cyan', event.name) + `(${shorten(clean(event.input ?? {}), max)})`);
          return;
        case 'tool-end': {
          const { call } = event;
          const name = (runs.get(event.runId)?.toolCalls ?? 0) > 1 ? `${call.name}: ` : '';
          const text =
            call.status === 'error'
              ? paint('red', `error: ${clean(call.error ?? toolResultText(call.content))}`)
              : clean(toolResultText(call.content));
          out(label('observation') + name + text);
          return;
        }
        case 'pause':
          for (const call of event.calls) {
            const why = call.kind === 'approval' ? 'waits for approval' : 'returned to the application';
            // A collaborator's call is named by its path, e.g. billing/refund: the application answers it all the same.
            const name = [...(call.collaborator ?? []), call.name].join('/');
            out(label('paused') + paint('yellow', `${name}(${shorten(clean(call.input ?? {}), max)}) ${why}`));
          }
          return;
        case 'resume':
          runs.set(event.runId, { toolCalls: event.calls.length, startedAt: Date.now(), requested: true });
          out('');
          out(label('resumed') + `${event.calls.length} call(s) answered (invocation ${event.invocationId.slice(0, 8)})`);
          return;
        case 'error':
          runs.delete(event.runId);
          out(label('error') + paint('red', clean(`${event.error.code}: ${event.error.message}`)));
          return;
        case 'run-end': {
          const startedAt = runs.get(event.runId)?.startedAt;
          runs.delete(event.runId);
          if (options.runSummary === false) return;
          const { result } = event;
          const wall = startedAt === undefined ? '' : `, ${Date.now() - startedAt} ms`;
          const { inputTokens, outputTokens, totalTokens } = result.usage;
          out('');
          out(
            paint(result.stopReason === 'end_turn' ? 'green' : 'yellow', `Run ${result.stopReason}`) +
              `: ${result.steps.length} steps, ${inputTokens} in + ${outputTokens} out = ${totalTokens} tokens, ${formatCost(result.costUsd)}${wall}`,
          );
          // Several models (a cascade's classifier, collaborators): what each cost.
          const byModel = Object.entries(result.usageByModel ?? {});
          if (byModel.length > 1) {
            for (const [model, { usage, costUsd }] of byModel)
              out(label('model') + `${model}  ${usage.inputTokens} in / ${usage.outputTokens} out tokens, ${formatCost(costUsd)}`);
          }
          for (const [id, collaborator] of collaborators) if (collaborator.root === event.runId) collaborators.delete(id);
          return;
        }
        default:
          return;
      }
    });
    detachers.add(detach);
    return () => {
      detachers.delete(detach);
      detach();
    };
  };

  return {
    attach,
    flush: async () => undefined,
    async close() {
      for (const detach of detachers) detach();
      detachers.clear();
    },
  };
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const shorten = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`);
/** Sub-cent costs are the norm; six decimals keep them from all reading $0.00. */
export const formatCost = (usd: number | undefined | null) => (usd === undefined || usd === null ? 'cost unknown' : `$${usd.toFixed(6)}`);
