// `pnpm bench [--quick]`: every benchmark, in one process run, printed as a table and saved as JSON.
import { environment, saveResults, table } from './report.js';
import { serverOverhead } from './server-overhead.js';
import { sessionStores } from './session-stores.js';

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

const stores = await sessionStores({
  ...(quick ? { appends: 50, loads: 20, warmup: 5 } : { appends: 200, loads: 100, warmup: 20 }),
  onSkip: (store, reason) => console.log(`\n(${store} skipped: ${reason})`),
});
console.log('\nsession stores: one append (a ~1.3 KB step) and one load of the session it built, sequential:');
console.log(
  table(
    ['store', 'steps', 'append median ms', 'append p95 ms', 'load median ms', 'load p95 ms'],
    stores.map((f) => [f.store, f.appends, f.appendMedianMs, f.appendP95Ms, f.loadMedianMs, f.loadP95Ms]),
  ),
);
const path = await saveResults('bench', { serverOverhead: overhead, sessionStores: stores });
console.log(`\nsaved ${path}`);
