// `pnpm bench [--quick]`: every benchmark in one run, printed as tables and saved as JSON.
// `pnpm bench -- --only batch [--quick]`: scenario 9 alone.
import { batchThroughputTitle, FULL, QUICK, runBench } from './bench.js';
import { renderBatchThroughput } from './render.js';
import { environment, saveResults } from './report.js';
import { batchThroughput } from './scenarios/batch-throughput.js';

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
if (only !== undefined && only !== 'batch') throw new Error(`--only: the one scenario that runs alone is "batch" (got ${only})`);
const figures = only === 'batch' ? await batchThroughput(counts.batchThroughput) : await runBench(counts);
if (only === 'batch')
  console.log(
    `\n${batchThroughputTitle(counts.batchThroughput)}\n${renderBatchThroughput(figures as Awaited<ReturnType<typeof batchThroughput>>)}`,
  );
const path = await saveResults(`${only ? `bench-${only}` : 'bench'}${quick ? '-quick' : ''}`, figures);
console.log(`\nsaved ${path} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
