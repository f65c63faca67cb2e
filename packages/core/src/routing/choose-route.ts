import type { ContentBlock, Message } from '@aws-sdk/client-bedrock-runtime';
import { isNovaloopError } from '../errors.js';
import type { Emit } from '../loop/events.js';
import type { RunTotals } from '../loop/run-totals.js';
import { driveModelCall, type ModelCallRequest, type ModelTransport } from '../model/drive-model-call.js';
import type { ModelPrice } from '../model/model-catalog.js';
import { CostTotal } from '../model/money.js';
import { emptyUsage, addUsage, type Usage } from '../model/usage.js';
import { forcedAnswer } from '../structured/forced-tool.js';
import type { Cascade } from './cascade.js';

/** How a run's route was chosen, in `result.route` and the routingClassifierTrace. */
export interface RouteDecision {
  route: string;
  /** The route's model: the one the run's steps use. */
  modelId: string;
  /** 'classifier' or 'rule' when they picked a route; 'fallback' when they could not (`reason` says why). */
  source: 'classifier' | 'rule' | 'fallback';
  reason?: string;
  /** The classifier's model, when there is one. */
  classifierModelId?: string;
  /** The classifier's usage and cost (zero for a rule); they count in the run's `usage` and `costUsd` too. */
  usage: Usage;
  costUsd: number | undefined;
  /** Time spent choosing, in ms. */
  latencyMs: number;
}

/** A cascade, ready to run: the classifier's request (without messages) and each route's step call. */
export interface Routing<Call> {
  cascade: Cascade;
  routes: ReadonlyMap<string, Call>;
  classifier: Omit<ModelCallRequest, 'messages'> | undefined;
}

const ROUTE_TOOL = 'route';

/**
 * Chooses the run's route, once, on the run's input: the classifier through the model-call driver
 * (its events carry `purpose: 'routing'`), or the rule. Anything that keeps it from naming a route
 * (an answer outside the routes, an error after retries, the timeout) takes the fallback, with the
 * reason. Returns 'aborted' only when the run itself is aborted.
 */
export async function chooseRoute<Call extends { modelId: string }>(
  routing: Routing<Call>,
  transport: ModelTransport,
  run: {
    runId: string;
    sessionId: string;
    input: string | ContentBlock[];
    prompt: Message;
    signal: AbortSignal;
    totals: RunTotals;
    emit: Emit;
    handedOut: (() => Promise<void>) | undefined;
  },
): Promise<{ decision: RouteDecision; call: Call } | 'aborted'> {
  const { cascade } = routing;
  const ids = { runId: run.runId, sessionId: run.sessionId };
  const started = performance.now();
  const usage = emptyUsage();
  const spent = new CostTotal(true);
  let picked: string | undefined;
  let reason: string | undefined;

  const timeout = new AbortController();
  const onAbort = () => timeout.abort(run.signal.reason);
  run.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => timeout.abort(new Error('timeout')), cascade.timeoutMs);
  try {
    if (routing.classifier) {
      const account = (modelId: string, used: Usage, price: ModelPrice | undefined) => {
        run.totals.account(modelId, used, price);
        addUsage(usage, used);
        spent.add(used, price);
      };
      const scope = {
        ...ids,
        stepIndex: 0,
        signal: timeout.signal,
        attempts: { count: 0 },
        account,
        emit: run.emit,
        handedOut: run.handedOut,
      };
      try {
        const answer = await driveModelCall(transport, { ...routing.classifier, messages: [run.prompt] }, scope);
        if (answer === 'aborted') {
          if (run.signal.aborted) return 'aborted';
          reason = `the classifier did not answer within ${cascade.timeoutMs} ms`;
        } else {
          const said = forcedAnswer(answer.turn.message, ROUTE_TOOL);
          const route =
            said.called && typeof said.input === 'object' && said.input !== null ? (said.input as { route?: unknown }).route : undefined;
          if (typeof route === 'string' && routing.routes.has(route)) picked = route;
          else reason = `the classifier answered ${JSON.stringify(said.called ? said.input : said.text)}, which is not one of the routes`;
        }
      } catch (error) {
        if (run.signal.aborted) return 'aborted';
        reason = `the classifier failed: ${isNovaloopError(error) ? `${error.code}: ${error.message}` : String(error)}`;
      }
    } else if (cascade.route) {
      try {
        const route: unknown = await cascade.route(run.input, { ...ids, signal: run.signal });
        if (typeof route === 'string' && routing.routes.has(route)) picked = route;
        else reason = `the route function returned ${JSON.stringify(route)}, which is not one of the routes`;
      } catch (error) {
        reason = `the route function threw: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (run.signal.aborted) return 'aborted';
    }
  } finally {
    clearTimeout(timer);
    run.signal.removeEventListener('abort', onAbort);
  }

  const route = picked ?? cascade.fallback;
  const call = routing.routes.get(route) as Call;
  const decision: RouteDecision = {
    route,
    modelId: call.modelId,
    source: picked === undefined ? 'fallback' : routing.classifier ? 'classifier' : 'rule',
    ...(reason !== undefined && picked === undefined ? { reason } : {}),
    ...(cascade.classifier !== undefined ? { classifierModelId: cascade.classifier } : {}),
    usage,
    costUsd: routing.classifier ? spent.usd : 0,
    latencyMs: Math.round(performance.now() - started),
  };
  run.emit({ type: 'route', ...ids, decision });
  return { decision, call };
}

export { ROUTE_TOOL };
