// `pnpm bench [--quick]`: every benchmark in one run, printed as tables and saved as JSON.
// `pnpm bench -- --only batch [--quick]`: scenario 9 alone; `--only cold`: scenario 4 alone.
import { batchThroughputTitle, FULL, QUICK, runBench } from './bench.js';
import { renderBatchThroughput, renderColdStart } from './render.js';
import { environment, saveResults } from './report.js';
import { batchThroughput } from './scenarios/batch-throughput.js';
import { coldStartAlone } from './scenarios/cold-start.js';

// The SDK's notice that its 2027 releases need Node 22 would land in the middle of the tables.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const quick = process.argv.includes('--quick');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const env = environment();
console.log(
  `novaloop bench${quick ? ' (quick)' : ''}${only ? ` (only ${only})` : ''} — Node ${env.node}, ${env.cpu} × ${env.cores}, ${env.date}`,
);

const started = Date.now();
const counts = quick ? QUICK : FULL;
if (only !== undefined && only !== 'batch' && only !== 'cold')
  throw new Error(`--only: the scenarios that run alone are "batch" and "cold" (got ${only})`);
let figures: unknown;
if (only === 'batch') {
  const batch = await batchThroughput(counts.batchThroughput);
  console.log(`\n${batchThroughputTitle(counts.batchThroughput)}\n${renderBatchThroughput(batch)}`);
  figures = batch;
} else if (only === 'cold') {
  const cold = await coldStartAlone(counts.coldStartRepetitions);
  console.log(
    `\n4. cold start, alone: ${counts.coldStartRepetitions} repetitions, variants taking turns in each\n${renderColdStart(cold.coldStart, cold.moduleLoad)}`,
  );
  figures = cold;
} else figures = await runBench(counts);
const path = await saveResults(`${only ? `bench-${only}` : 'bench'}${quick ? '-quick' : ''}`, figures);
console.log(`\nsaved ${path} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
