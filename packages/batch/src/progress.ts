import { formatUsd, type Usage } from '@novaloop/core';
import type { BatchOptions, BatchProgress } from './types.js';

type Stream = NonNullable<BatchOptions<unknown>['progressStream']>;

/**
 * Counts what is done and reports it: to `onProgress`, and as a bar redrawn in place on a TTY or a
 * plain line every `every` records otherwise. Drawing is rate-limited so it never slows a fast run.
 */
export class ProgressReporter {
  private readonly started = performance.now();
  private lastDraw = 0;
  private lastLineAt = 0;
  private drewBar = false;
  readonly state: BatchProgress;

  constructor(
    mode: BatchProgress['mode'],
    total: number,
    private readonly options: Pick<BatchOptions<unknown>, 'progress' | 'progressEvery' | 'progressStream' | 'onProgress'>,
  ) {
    this.state = {
      mode,
      phase: mode === 'online' ? 'running' : 'upload',
      total,
      done: 0,
      succeeded: 0,
      failed: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      elapsedMs: 0,
      etaMs: undefined,
    };
  }

  private get stream(): Stream {
    return this.options.progressStream ?? process.stderr;
  }

  private get style(): 'bar' | 'lines' | false {
    const progress = this.options.progress ?? 'auto';
    if (progress === false) return false;
    if (progress === 'auto') return this.stream.isTTY ? 'bar' : 'lines';
    return progress;
  }

  record(ok: boolean, usage: Usage, costUsd: number | undefined): void {
    const s = this.state;
    s.done++;
    if (ok) s.succeeded++;
    else s.failed++;
    s.inputTokens += usage.inputTokens;
    s.outputTokens += usage.outputTokens;
    s.costUsd = s.costUsd === undefined || (costUsd === undefined && usage.totalTokens > 0) ? undefined : s.costUsd + (costUsd ?? 0);
    this.update();
  }

  set(patch: Partial<BatchProgress>): void {
    Object.assign(this.state, patch);
    this.update(true);
  }

  finish(): void {
    this.state.phase = 'done';
    this.update(true);
    if (this.drewBar) this.stream.write('\n');
    else if (this.style === 'lines' && this.lastLineAt !== this.state.done) this.stream.write(`${this.line()}\n`);
  }

  private update(force = false): void {
    const s = this.state;
    s.elapsedMs = Math.round(performance.now() - this.started);
    s.etaMs = s.done > 0 && s.total > s.done ? Math.round((s.elapsedMs / s.done) * (s.total - s.done)) : s.done >= s.total ? 0 : undefined;
    this.options.onProgress?.({ ...s });
    const style = this.style;
    if (style === 'bar') {
      const now = performance.now();
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.drewBar = true;
      this.stream.write(`\r${this.bar()}\u001b[K`);
    } else if (style === 'lines') {
      const every = this.options.progressEvery ?? 100;
      if (s.done > 0 && s.done % every === 0 && this.lastLineAt !== s.done) {
        this.lastLineAt = s.done;
        this.stream.write(`${this.line()}\n`);
      }
    }
  }

  private summary(): string {
    const s = this.state;
    const cost = s.costUsd === undefined ? 'cost unknown' : formatUsd(s.costUsd);
    const eta = s.etaMs === undefined ? '' : ` · ETA ${formatDuration(s.etaMs)}`;
    const job = s.jobStatus ? ` · job ${s.jobStatus}` : '';
    const concurrency = s.concurrency !== undefined ? ` · ${s.concurrency} in flight max` : '';
    return `${s.failed} error${s.failed === 1 ? '' : 's'} · ${s.inputTokens + s.outputTokens} tokens · ${cost}${eta}${job}${concurrency}`;
  }

  private bar(): string {
    const s = this.state;
    const width = 24;
    const filled = s.total > 0 ? Math.round((s.done / s.total) * width) : 0;
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${s.done}/${s.total} ${this.summary()}`;
  }

  private line(): string {
    const s = this.state;
    return `batch ${s.mode}: ${s.done}/${s.total} records · ${this.summary()}`;
  }
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
    : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
