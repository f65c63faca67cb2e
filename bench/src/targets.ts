// The targets, checked against one run's figures. Each is reported as measured, with how far
// it is from its limit; nothing here feeds back into what is measured.
import type { ColdStartFigures } from './scenarios/cold-start.js';
import type { ConcurrencyFigures } from './scenarios/concurrency.js';
import type { WarmRunFigures } from './scenarios/warm-runs.js';
import type { WireFigures } from './scenarios/wire.js';
import type { ClassifyFigures } from './scenarios/classify-overhead.js';
import { sum } from './stats.js';
import { LABELS, NOVALOOP_VARIANTS, type Variant } from './variants.js';

export interface TargetResult {
  scenario: number;
  target: string;
  measured: number;
  limit: number;
  unit: '×' | 'MB';
  /** 'max': measured must be ≤ limit; 'exact': measured must equal it. */
  kind: 'max' | 'exact';
  met: boolean;
  /** "met, 0.08× to spare" / "missed by 0.12× (17% over)". */
  verdict: string;
}

export interface TargetInputs {
  infraRun: WarmRunFigures[];
  longRuns: Array<{ modelCalls: number; figures: WarmRunFigures[] }>;
  concurrency: ConcurrencyFigures[];
  coldStart: ColdStartFigures[];
  wire: WireFigures[];
  classify: ClassifyFigures[];
}

const NOVALOOP: Variant[] = [...NOVALOOP_VARIANTS];

export function checkTargets(f: TargetInputs): TargetResult[] {
  const results: TargetResult[] = [];
  const find = <T extends { variant: Variant }>(list: readonly T[], variant: Variant) => list.find((x) => x.variant === variant);

  const rawDefault = find(f.infraRun, 'raw-default');
  const rawPooled = find(f.infraRun, 'raw-pooled');
  for (const [variant, limit] of [
    ['novaloop-converse', 0.7],
    ['novaloop-stream', 0.8],
    // The lean transport's targets (issue 19).
    ['lean-converse', 0.35],
    ['lean-stream', 0.45],
  ] as const) {
    const figures = find(f.infraRun, variant);
    if (figures && rawDefault) {
      results.push(max(1, `${LABELS[variant]} median ms/step vs raw-default`, figures.medianMsPerStep / rawDefault.medianMsPerStep, limit));
    }
  }
  const rawPooledStream = find(f.infraRun, 'raw-pooled-stream');
  for (const [variant, raw] of [
    ['novaloop-converse', rawPooled],
    ['novaloop-stream', rawPooledStream],
  ] as const) {
    const figures = find(f.infraRun, variant);
    if (figures && raw)
      results.push(max(1, `${LABELS[variant]} CPU/run vs ${LABELS[raw.variant]}`, figures.cpuMsPerRun / raw.cpuMsPerRun, 1.1));
  }

  const first = f.longRuns[0];
  const last = f.longRuns.at(-1);
  if (first && last && first !== last) {
    const vsPooled = (run: { figures: WarmRunFigures[] }, variant: Variant) =>
      (find(run.figures, variant)?.medianMsPerStep ?? NaN) / (find(run.figures, 'raw-pooled')?.medianMsPerStep ?? NaN);
    for (const variant of NOVALOOP) {
      results.push(
        max(
          2,
          `${LABELS[variant]} ms/step vs raw-pooled, ${last.modelCalls} steps ÷ ${first.modelCalls} steps`,
          vsPooled(last, variant) / vsPooled(first, variant),
          1.2,
        ),
      );
    }
  }

  for (const c of f.concurrency.filter((x) => NOVALOOP.includes(x.variant) && x.maxSockets === undefined)) {
    results.push(max(3, `${LABELS[c.variant]} ${c.sessions} sessions: wall vs ideal`, c.wallVsIdeal, 1.25));
    results.push(max(3, `${LABELS[c.variant]} ${c.sessions} sessions: peak RSS`, c.peakRssMb, 300, 'MB'));
  }
  const pooledWall = f.concurrency.find((x) => x.variant === 'raw-pooled' && x.maxSockets === undefined);
  for (const c of f.concurrency.filter((x) => x.variant.startsWith('lean-') && x.maxSockets === undefined)) {
    if (pooledWall)
      results.push(max(3, `${LABELS[c.variant]} ${c.sessions} sessions: wall vs raw-pooled`, c.wallMs / pooledWall.wallMs, 0.35));
  }

  const coldRaw = find(f.coldStart, 'raw-default');
  for (const variant of NOVALOOP) {
    const cold = find(f.coldStart, variant);
    if (cold && coldRaw) results.push(max(4, `${LABELS[variant]} cold start vs raw-default`, cold.medianMs / coldRaw.medianMs, 1.15));
  }

  for (const variant of NOVALOOP) {
    const mine = f.wire.filter((w) => w.variant === variant);
    const base = f.wire.filter((w) => w.variant === 'raw-default');
    const total = (list: WireFigures[], pick: (w: WireFigures) => number[]) => sum(list.flatMap(pick));
    results.push(exact(5, `${LABELS[variant]} request bytes vs raw-default`, total(mine, (w) => w.bytes) / total(base, (w) => w.bytes), 1));
    results.push(
      exact(5, `${LABELS[variant]} input tokens vs raw-default`, total(mine, (w) => w.inputTokens) / total(base, (w) => w.inputTokens), 1),
    );
  }

  const classify = f.classify.find((c) => c.variant === 'classify');
  const raw = f.classify.find((c) => c.variant === 'raw');
  if (classify && raw)
    results.push(max(8, 'classify() client CPU/call vs raw SDK Converse', classify.cpuUsPerCall / raw.cpuUsPerCall, 1.1));
  return results;
}

function max(scenario: number, target: string, measured: number, limit: number, unit: TargetResult['unit'] = '×'): TargetResult {
  const met = measured <= limit;
  const gap = `${Math.abs(measured - limit).toFixed(unit === 'MB' ? 0 : 2)}${unit === 'MB' ? ' MB' : '×'}`;
  const verdict = met ? `met, ${gap} to spare` : `missed by ${gap} (${((measured / limit - 1) * 100).toFixed(0)}% over)`;
  return { scenario, target, measured, limit, unit, kind: 'max', met, verdict };
}

function exact(scenario: number, target: string, measured: number, limit: number): TargetResult {
  const met = measured === limit;
  const verdict = met ? 'met, identical' : `missed by ${((measured / limit - 1) * 100).toFixed(3)}%`;
  return { scenario, target, measured, limit, unit: '×', kind: 'exact', met, verdict };
}
