// `pnpm bench [--quick]`: every benchmark in one run, printed as tables and saved as JSON.
import { FULL, QUICK, runBench } from './bench.js';
import { environment, saveResults } from './report.js';

// The SDK's notice that its 2027 releases need Node 22 would land in the middle of the tables.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const quick = process.argv.includes('--quick');
const env = environment();
console.log(`novaloop bench${quick ? ' (quick)' : ''} — Node ${env.node}, ${env.cpu} × ${env.cores}, ${env.date}`);

const started = Date.now();
const figures = await runBench(quick ? QUICK : FULL);
const path = await saveResults(quick ? 'bench-quick' : 'bench', figures);
console.log(`\nsaved ${path} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
