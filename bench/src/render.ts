// The stdout report: one table per scenario, then the targets. Ratios are to raw-default unless a
// column says otherwise; absolute times only mean something within one run.
import { table } from './report.js';
import type { ColdStartFigures, ModuleLoadFigures } from './scenarios/cold-start.js';
import type { ConcurrencyFigures } from './scenarios/concurrency.js';
import type { CostFigures } from './scenarios/cost.js';
import type { BatchThroughputFigures } from './scenarios/batch-throughput.js';
import type { ClassifyFigures } from './scenarios/classify-overhead.js';
import type { WarmRunFigures } from './scenarios/warm-runs.js';
import type { WireFigures } from './scenarios/wire.js';
import type { OverheadFigures } from './server-overhead.js';
import type { StoreFigures } from './session-stores.js';
import { sum } from './stats.js';
import type { TargetResult } from './targets.js';
import { LABELS, type Variant } from './variants.js';

const ms = (n: number) => n.toFixed(2);
const times = (n: number) => `${n.toFixed(2)}×`;
const mb = (n: number) => n.toFixed(0);
const usd = (n: number) => `$${n.toFixed(n < 1 ? 5 : 2)}`;
const base = <T extends { variant: Variant }>(list: readonly T[], variant: Variant = 'raw-default') =>
  list.find((x) => x.variant === variant);

export function renderServerOverhead(figures: OverheadFigures[]): string {
  const first = figures[0]?.medianMs ?? NaN;
  return table(
    ['variant', 'requests', 'median ms', 'p95 ms', 'req/s', 'median vs sdk converse'],
    figures.map((f) => [f.variant, f.requests, ms(f.medianMs), ms(f.p95Ms), f.requestsPerSecond.toFixed(0), times(f.medianMs / first)]),
  );
}

export function renderInfraRun(figures: WarmRunFigures[]): string {
  const raw = base(figures);
  const pooled = base(figures, 'raw-pooled');
  return table(
    [
      'variant',
      'median ms/step',
      'p95 ms/step',
      'CPU ms/run',
      'peak RSS MB',
      'ms/step vs raw-default',
      'CPU vs raw-default',
      'CPU vs raw-pooled',
    ],
    figures.map((f) => [
      LABELS[f.variant],
      ms(f.medianMsPerStep),
      ms(f.p95MsPerStep),
      ms(f.cpuMsPerRun),
      mb(f.peakRssMb),
      times(f.medianMsPerStep / (raw?.medianMsPerStep ?? NaN)),
      times(f.cpuMsPerRun / (raw?.cpuMsPerRun ?? NaN)),
      times(f.cpuMsPerRun / (pooled?.cpuMsPerRun ?? NaN)),
    ]),
  );
}

export function renderLongRuns(runs: Array<{ modelCalls: number; figures: WarmRunFigures[] }>): string {
  const first = runs[0];
  const vsPooled = (run: (typeof runs)[number], f: WarmRunFigures) =>
    f.medianMsPerStep / (base(run.figures, 'raw-pooled')?.medianMsPerStep ?? NaN);
  return table(
    [
      'steps',
      'variant',
      'median ms/step',
      'p95 ms/step',
      'vs raw-default',
      'vs raw-pooled',
      `vs raw-pooled ÷ same at ${first?.modelCalls} steps`,
    ],
    runs.flatMap((run) =>
      run.figures.map((f) => {
        const atFirst = first ? base(first.figures, f.variant) : undefined;
        return [
          run.modelCalls,
          LABELS[f.variant],
          ms(f.medianMsPerStep),
          ms(f.p95MsPerStep),
          times(f.medianMsPerStep / (base(run.figures)?.medianMsPerStep ?? NaN)),
          times(vsPooled(run, f)),
          first && atFirst ? times(vsPooled(run, f) / vsPooled(first, atFirst)) : '',
        ];
      }),
    ),
  );
}

export function renderConcurrency(figures: ConcurrencyFigures[]): string {
  const raw = figures.find((f) => f.variant === 'raw-default' && f.maxSockets === undefined);
  const warnings = figures.flatMap((f) => f.warnings.map((w) => `${f.label ?? LABELS[f.variant]} warned: ${w}`));
  const rows = table(
    [
      'variant',
      'sessions',
      'model calls',
      'wall ms',
      'ideal ms',
      'wall vs ideal',
      'peak RSS MB',
      'client CPU ms',
      'server CPU ms',
      'wall vs raw-default',
    ],
    figures.map((f) => [
      f.label ?? LABELS[f.variant],
      f.sessions,
      f.modelCalls,
      f.wallMs.toFixed(0),
      f.idealMs.toFixed(0),
      times(f.wallVsIdeal),
      mb(f.peakRssMb),
      f.cpuMs.toFixed(0),
      f.serverCpuMs.toFixed(0),
      times(f.wallMs / (raw?.wallMs ?? NaN)),
    ]),
  );
  return [rows, ...warnings].join('\n');
}

export function renderColdStart(figures: ColdStartFigures[], modules: ModuleLoadFigures): string {
  const raw = base(figures);
  const loading = modules.packages.map((p, i) => `${i === 0 ? '' : '+'}${p.medianMs.toFixed(0)} ms ${p.name}`).join(', ');
  const rows = table(
    ['variant', 'runs', 'median ms', 'min ms', 'p95 ms', 'modules loaded at ms', 'answered at ms', 'median vs raw-default'],
    figures.map((f) => [
      LABELS[f.variant],
      f.runs,
      f.medianMs.toFixed(0),
      f.minMs.toFixed(0),
      f.p95Ms.toFixed(0),
      f.medianLoadedMs.toFixed(0),
      f.medianAnsweredMs.toFixed(0),
      times(f.medianMs / (raw?.medianMs ?? NaN)),
    ]),
  );
  return `${rows}\nmodule loading, median of ${modules.runs} fresh processes, each package on top of the ones before: ${loading}`;
}

export function renderWire(figures: WireFigures[]): string {
  return table(
    [
      'variant',
      'conversation',
      'calls',
      'bytes/call',
      'input tok/call',
      'output tok/call',
      'bytes vs raw-default',
      'input tok vs raw-default',
      'same bodies',
      'connections',
    ],
    figures.map((f) => [
      LABELS[f.variant],
      f.conversation,
      f.modelCalls,
      (sum(f.bytes) / f.modelCalls).toFixed(0),
      (sum(f.inputTokens) / f.modelCalls).toFixed(0),
      (sum(f.outputTokens) / f.modelCalls).toFixed(0),
      `${f.bytesVsRawDefault.toFixed(3)}×`,
      `${f.inputTokensVsRawDefault.toFixed(3)}×`,
      f.sameBodies ? 'yes' : `no: ${f.firstDifference}`,
      f.connectionsOpened,
    ]),
  );
}

export function renderSessionStores(figures: StoreFigures[], skipped: Array<{ store: string; reason: string }>): string {
  const rows = table(
    ['store', 'steps', 'append median ms', 'append p95 ms', 'load median ms', 'load p95 ms'],
    // Three decimals: the in-memory store answers in microseconds.
    figures.map((f) => [f.store, f.appends, ...[f.appendMedianMs, f.appendP95Ms, f.loadMedianMs, f.loadP95Ms].map((n) => n.toFixed(3))]),
  );
  return [rows, ...skipped.map((s) => `${s.store} skipped: ${s.reason}`)].join('\n');
}

export function renderCost(figures: CostFigures): string {
  const rows = table(
    ['line', 'input tok/run', 'cache read/run', 'cache write/run', 'output tok/run', '$/run', '$/month', 'vs raw-default', 'note'],
    figures.lines.map((l) => [
      l.line,
      l.perRun.inputTokens,
      l.perRun.cacheReadInputTokens,
      l.perRun.cacheWriteInputTokens,
      l.perRun.outputTokens,
      usd(l.usdPerRun),
      usd(l.usdPerMonth),
      times(l.vsRawDirect),
      l.note,
    ]),
  );
  return `${rows}\ntarget: ${figures.target}`;
}

export function renderTargets(targets: TargetResult[]): string {
  return table(
    ['scenario', 'target', 'measured', 'limit', 'result'],
    targets.map((t) => [
      String(t.scenario),
      t.target,
      t.unit === 'MB' ? `${mb(t.measured)} MB` : `${t.measured.toFixed(t.kind === 'exact' ? 4 : 2)}×`,
      `${t.kind === 'exact' ? '=' : '≤'} ${t.unit === 'MB' ? `${t.limit} MB` : `${t.limit.toFixed(2)}×`}`,
      t.verdict,
    ]),
  );
}

export function renderClassify(figures: ClassifyFigures[]): string {
  const raw = figures.find((f) => f.variant === 'raw');
  const rows = table(
    ['variant', 'processes', 'calls each', 'CPU µs/call', 'wall µs/call', 'CPU vs raw'],
    figures.map((f) => [
      f.label,
      f.processes,
      f.calls,
      f.cpuUsPerCall.toFixed(0),
      f.wallUsPerCall.toFixed(0),
      raw ? times(f.cpuUsPerCall / raw.cpuUsPerCall) : '-',
    ]),
  );
  return `${rows}\nsame request body: ${figures[0]?.sameBody ? 'yes' : 'NO (the comparison is off)'}`;
}

export function renderBatchThroughput(figures: BatchThroughputFigures[]): string {
  const online = figures.find((f) => f.variant === 'batch-online');
  const fixed = figures.filter((f) => f.variant === 'raw-fixed');
  const best = fixed.reduce<BatchThroughputFigures | undefined>(
    (a, f) => (!a || f.recordsPerSecond > a.recordsPerSecond ? f : a),
    undefined,
  );
  const rows = table(
    ['variant', 'records', 'records/s', 'wall ms', 'lost', '429s', 'peak limit', 'vs best fixed'],
    figures.map((f) => [
      f.label,
      f.records,
      f.recordsPerSecond.toFixed(0),
      f.wallMs.toFixed(0),
      f.lost,
      f.throttled,
      f.peakConcurrency ?? '-',
      best ? times(f.recordsPerSecond / best.recordsPerSecond) : '-',
    ]),
  );
  const met = online && best && online.recordsPerSecond >= best.recordsPerSecond && online.lost === 0;
  return `${rows}\ntarget: online records/s ≥ the best fixed concurrency (${best?.label ?? '-'}), none lost: ${met ? 'met' : 'NOT met'}`;
}
