import type { ContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { isNovaloopError, RoutingConfigError } from '../errors.js';
import { checkModelId } from '../model/preflight.js';

/** What a rule-based `route` function gets besides the run's input. */
export interface RouteContext {
  runId: string;
  sessionId: string;
  /** Aborted when the run is cancelled. */
  signal: AbortSignal;
}

interface CascadeCommon<R extends string> {
  /** Route name → model id. Any number of routes; a run uses one. */
  routes: Record<R, string>;
  /** The route taken when the classifier answers outside the routes, fails, or times out. */
  fallback: NoInfer<R>;
}

export interface ClassifierCascadeOptions<R extends string> extends CascadeCommon<R> {
  /** The model that picks the route, e.g. `us.amazon.nova-micro-v1:0`. */
  classifier: string;
  /** The classifier's system prompt; the default asks it to pick the route that fits the request. */
  instructions?: string;
  /** The classifier's time limit, retries included (default 2,000 ms); then `fallback`. */
  timeoutMs?: number;
  route?: undefined;
}

export interface RuleCascadeOptions<R extends string> extends CascadeCommon<R> {
  /** Picks the route from the run's input; a name that is not a route, or a throw, takes `fallback`. */
  route: (input: string | ContentBlock[], ctx: RouteContext) => NoInfer<R> | Promise<NoInfer<R>>;
  classifier?: undefined;
  instructions?: undefined;
  timeoutMs?: undefined;
}

export type CascadeOptions<R extends string> = ClassifierCascadeOptions<R> | RuleCascadeOptions<R>;

/** A checked `cascade()`: pass it as an Agent's `model`. */
export interface Cascade<R extends string = string> {
  readonly kind: 'cascade';
  readonly routes: Readonly<Record<R, string>>;
  readonly fallback: R;
  readonly classifier: string | undefined;
  readonly instructions: string;
  readonly timeoutMs: number;
  readonly route: RuleCascadeOptions<R>['route'] | undefined;
}

const ROUTE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Cascaded routing: once per run, a small model (or a function) picks a route, and the run's steps go
 * to that route's model. Checked here, so a mistake fails at construction, not in a request.
 */
export function cascade<const R extends string>(options: CascadeOptions<R>): Cascade<R> {
  if (typeof options !== 'object' || options === null)
    throw new RoutingConfigError('cascade() needs { classifier | route, routes, fallback }.');
  const routes = options.routes as Record<string, unknown>;
  if (typeof routes !== 'object' || routes === null || Object.keys(routes).length === 0) {
    throw new RoutingConfigError(
      "cascade(): `routes` must name at least one route, e.g. { simple: 'us.amazon.nova-micro-v1:0', complex: 'us.amazon.nova-pro-v1:0' }.",
    );
  }
  for (const [name, modelId] of Object.entries(routes)) {
    if (!ROUTE_NAME.test(name)) {
      throw new RoutingConfigError(
        `cascade(): route name ${JSON.stringify(name)} must be 1-64 letters, digits, _ or - (the classifier answers it).`,
      );
    }
    if (typeof modelId !== 'string' || modelId === '') throw new RoutingConfigError(`cascade(): route ${name} needs a model id string.`);
    checkModel(modelId, `routes.${name}`);
  }
  if (!Object.hasOwn(routes, options.fallback)) {
    throw new RoutingConfigError(
      `cascade(): fallback ${JSON.stringify(options.fallback)} is not a route; use one of ${Object.keys(routes).join(', ')}.`,
    );
  }
  const hasClassifier = options.classifier !== undefined;
  const hasRule = options.route !== undefined;
  if (hasClassifier === hasRule) {
    throw new RoutingConfigError('cascade(): give exactly one of `classifier` (a model id) or `route` (a function).');
  }
  if (hasRule && typeof options.route !== 'function')
    throw new RoutingConfigError('cascade(): `route` must be a function returning a route name.');
  if (hasClassifier) {
    if (typeof options.classifier !== 'string' || options.classifier === '') {
      throw new RoutingConfigError("cascade(): `classifier` must be a model id, e.g. 'us.amazon.nova-micro-v1:0'.");
    }
    checkModel(options.classifier, 'classifier');
  }
  const timeoutMs = options.timeoutMs ?? 2_000;
  if (!(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new RoutingConfigError(`cascade(): timeoutMs must be a positive number of milliseconds (got ${String(timeoutMs)}).`);
  }
  const names = Object.keys(routes);
  return Object.freeze({
    kind: 'cascade' as const,
    routes: Object.freeze({ ...options.routes }),
    fallback: options.fallback,
    classifier: options.classifier,
    instructions:
      options.instructions ??
      `Choose which route should handle the user's request. Routes: ${names.join(', ')}. ` +
        'Call the route tool with exactly one of them. Do not answer the request.',
    timeoutMs,
    route: options.route,
  });
}

export const isCascade = (model: unknown): model is Cascade =>
  typeof model === 'object' && model !== null && (model as { kind?: unknown }).kind === 'cascade';

function checkModel(modelId: string, field: string): void {
  try {
    checkModelId(modelId);
  } catch (error) {
    if (!isNovaloopError(error)) throw error;
    throw new RoutingConfigError(`cascade(): ${field}: ${error.message}`, { cause: error });
  }
}
