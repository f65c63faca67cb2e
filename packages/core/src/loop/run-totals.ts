import { addUsage, emptyUsage, type Usage } from '../model/usage.js';

/** A run's usage and cost over every billed model request, summaries included. */
export class RunTotals {
  readonly usage: Usage = emptyUsage();
  /** USD; `undefined` once any request's price is unknown (never 0 for "unknown"). */
  costUsd: number | undefined;

  constructor(priced: boolean) {
    this.costUsd = priced ? 0 : undefined;
  }

  readonly account = (usage: Usage, costUsd: number | undefined): void => {
    addUsage(this.usage, usage);
    this.costUsd = this.costUsd === undefined || costUsd === undefined ? undefined : this.costUsd + costUsd;
  };
}
