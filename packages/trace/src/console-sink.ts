import { toolResultText } from '@novaloop/core';
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
 * rationale, tool calls with their input, observations, retries and errors. When several runs overlap,
 * each line starts with the run's id.
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
  const runs = new Map<string, { toolCalls: number; startedAt: number }>();
  const detachers = new Set<() => void>();

  const attach: TraceSink['attach'] = (agent) => {
    const detach = listen(agent, (event) => {
      const prefix = runs.size > 1 ? paint('dim', `[${event.runId.slice(0, 8)}] `) : '';
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
          runs.set(event.runId, { toolCalls: event.calls.length, startedAt: Date.now() });
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
