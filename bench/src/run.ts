// `pnpm bench [--quick]`: every benchmark, in one process run, printed as a table and saved as JSON.
import { environment, saveResults, table } from './report.js';
import { serverOverhead } from './server-overhead.js';

const quick = process.argv.includes('--quick');
const env = environment();
console.log(`novaloop bench${quick ? ' (quick)' : ''} — Node ${env.node}, ${env.cpu} × ${env.cores}, ${env.date}\n`);

const overhead = await serverOverhead(quick ? { requests: 300, warmup: 50 } : { requests: 3000, warmup: 300 });
const base = overhead[0]!.medianMs;
console.log('bedrock-local per-request cost (0 ms model latency, sequential):');
console.log(
  table(
    ['variant', 'requests', 'median ms', 'p95 ms', 'req/s', 'median vs sdk converse'],
    overhead.map((f) => [f.variant, f.requests, f.medianMs, f.p95Ms, f.requestsPerSecond, `${(f.medianMs / base).toFixed(2)}×`]),
  ),
);
const path = await saveResults('bench', { serverOverhead: overhead });
console.log(`\nsaved ${path}`);
