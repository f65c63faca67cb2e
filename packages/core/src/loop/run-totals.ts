import { CostTotal } from '../model/money.js';
import type { ModelPrice } from '../model/model-catalog.js';
import { addUsage, emptyUsage, type Usage } from '../model/usage.js';

/** A run's usage and cost over every billed model request, summaries included. */
export class RunTotals {
  readonly usage: Usage = emptyUsage();
  private readonly cost: CostTotal;

  constructor(priced: boolean) {
    this.cost = new CostTotal(priced);
  }

  /** USD, summed exactly; `undefined` once any request's price is unknown (never 0 for "unknown"). */
  get costUsd(): number | undefined {
    return this.cost.usd;
  }

  readonly account = (usage: Usage, price: ModelPrice | undefined): void => {
    addUsage(this.usage, usage);
    this.cost.add(usage, price);
  };
}
