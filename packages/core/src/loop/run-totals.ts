import { CostTotal } from '../model/money.js';
import type { ModelPrice } from '../model/model-catalog.js';
import { addUsage, emptyUsage, type Usage } from '../model/usage.js';

/** Usage and cost of one model over a run. */
export interface ModelUsage {
  usage: Usage;
  /** USD; `undefined` when the model's price is unknown. */
  costUsd: number | undefined;
}

/** A run's usage and cost over every billed model request (summaries and routing included), in all and per model. */
export class RunTotals {
  readonly usage: Usage = emptyUsage();
  private readonly cost: CostTotal;
  private readonly models = new Map<string, { usage: Usage; cost: CostTotal }>();

  constructor(priced: boolean) {
    this.cost = new CostTotal(priced);
  }

  /** USD, summed exactly; `undefined` once any request's price is unknown (never 0 for "unknown"). */
  get costUsd(): number | undefined {
    return this.cost.usd;
  }

  /** Usage and cost per model id (as sent), in the order the models were first called. */
  byModel(): Record<string, ModelUsage> {
    const out: Record<string, ModelUsage> = {};
    for (const [modelId, totals] of this.models) out[modelId] = { usage: totals.usage, costUsd: totals.cost.usd };
    return out;
  }

  readonly account = (modelId: string, usage: Usage, price: ModelPrice | undefined): void => {
    addUsage(this.usage, usage);
    this.cost.add(usage, price);
    let model = this.models.get(modelId);
    if (!model) this.models.set(modelId, (model = { usage: emptyUsage(), cost: new CostTotal(true) }));
    addUsage(model.usage, usage);
    model.cost.add(usage, price);
  };
}
