/**
 * Additive increase, multiplicative decrease of the requests in flight: +1 after a full window of
 * successes at the current limit, halved on throttling, within [min, max]. Only a throttle of a
 * request sent after the last decrease halves again, so one burst of 429s costs one halving.
 */
export class AdaptiveLimit {
  private value: number;
  private successes = 0;
  private epoch = 0;

  constructor(
    initial: number,
    private readonly min: number,
    private readonly max: number,
  ) {
    this.value = Math.max(min, Math.min(max, initial));
  }

  get limit(): number {
    return this.value;
  }

  /** Call when sending: the epoch to pass back with the request's outcome. */
  get currentEpoch(): number {
    return this.epoch;
  }

  onSuccess(): void {
    if (++this.successes >= this.value) {
      this.successes = 0;
      if (this.value < this.max) this.value++;
    }
  }

  onThrottle(sentInEpoch: number): void {
    if (sentInEpoch < this.epoch) return;
    this.epoch++;
    this.successes = 0;
    this.value = Math.max(this.min, Math.floor(this.value / 2));
  }
}
