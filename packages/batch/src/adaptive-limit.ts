/**
 * Additive increase, multiplicative decrease of the requests in flight, decided once per window of
 * `limit` finished requests (about one round trip): +1 when the window's throttled share was at most
 * `tolerance`, halved when it was more, always within [min, max]. Until the first decrease the limit
 * doubles per window instead (TCP's slow start), so a run reaches its cap in a few round trips rather
 * than one per request slot. The tolerance keeps a steady trickle of 429s (which the retries absorb)
 * from collapsing the limit; a burst of them halves it each window until it stops.
 */
export class AdaptiveLimit {
  private value: number;
  private finished = 0;
  private throttled = 0;
  private slowStart = true;

  constructor(
    initial: number,
    private readonly min: number,
    private readonly max: number,
    private readonly tolerance = 0.2,
  ) {
    this.value = Math.max(min, Math.min(max, initial));
  }

  get limit(): number {
    return this.value;
  }

  onSuccess(): void {
    this.count(false);
  }

  onThrottle(): void {
    this.count(true);
  }

  private count(throttled: boolean): void {
    this.finished++;
    if (throttled) this.throttled++;
    if (this.finished < this.value) return;
    if (this.throttled / this.finished > this.tolerance) {
      this.value = Math.max(this.min, Math.floor(this.value / 2));
      this.slowStart = false;
    } else {
      this.value = Math.min(this.max, this.slowStart ? this.value * 2 : this.value + 1);
    }
    this.finished = 0;
    this.throttled = 0;
  }
}
