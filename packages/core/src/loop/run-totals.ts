import { CostTotal } from '../model/money.js';
import type { ModelPrice } from '../model/model-catalog.js';
import { addUsage, emptyUsage, type Usage } from '../model/usage.js';

/** Usage and cost of one model over a run (`RunResult.usageByModel`). */
export interface ModelUsage {
  usage: Usage;
  /** USD; `undefined` when the model's price is unknown. */
  costUsd: number | undefined;
}

/**
 * A run's usage and cost over every billed model request (summaries and routing included), in all
 * and per model. A collaborator's run (`agent.asTool()`) has its supervisor's totals as `parent`:
 * each of its requests is counted there too, as it happens, so the supervisor's budget and
 * `usageByModel` include it.
 */
export class RunTotals {
  readonly usage: Usage = emptyUsage();
  private readonly cost: CostTotal;
  private readonly models = new Map<string, { usage: Usage; cost: CostTotal }>();

  constructor(
    priced: boolean,
    private readonly maxCostUsd: number | undefined = undefined,
    private readonly parent: RunTotals | undefined = undefined,
  ) {
    this.cost = new CostTotal(priced);
  }

  /** USD, summed exactly; `undefined` once any request's price is unknown (never 0 for "unknown"). */
  get costUsd(): number | undefined {
    return this.cost.usd;
  }

  /** Usage and cost per model id (as sent), every collaborator's requests included, in the order the models were first called. */
  byModel(): Record<string, ModelUsage> {
    const out: Record<string, ModelUsage> = {};
    for (const [modelId, { usage, cost }] of this.models) out[modelId] = { usage: { ...usage }, costUsd: cost.usd };
    return out;
  }

  readonly account = (modelId: string, usage: Usage, price: ModelPrice | undefined): void => {
    addUsage(this.usage, usage);
    this.cost.add(usage, price);
    let model = this.models.get(modelId);
    if (!model) this.models.set(modelId, (model = { usage: emptyUsage(), cost: new CostTotal(true) }));
    addUsage(model.usage, usage);
    model.cost.add(usage, price);
    this.parent?.account(modelId, usage, price);
  };

  /**
   * The cost and limit the stop rule compares: this run's own, unless a supervisor up the chain has
   * reached its budget, which then ends this run too.
   */
  budget(): { costUsd: number | undefined; maxCostUsd: number | undefined } {
    for (let totals = this.parent; totals; totals = totals.parent) {
      const { costUsd, maxCostUsd } = totals;
      if (maxCostUsd !== undefined && costUsd !== undefined && costUsd >= maxCostUsd) return { costUsd, maxCostUsd };
    }
    return { costUsd: this.costUsd, maxCostUsd: this.maxCostUsd };
  }
}
