// Scenario 4's one-run script for the raw loop: `node raw.js ENDPOINT raw-default|raw-pooled`.
// Prints the answer as soon as it has it; the parent times process start to that line.
import { performance } from 'node:perf_hooks';
// The app's own zod (an app validates its tools' input with it), loaded as novaloop's script loads it:
// the issue measures cold start with it in both, so it is not counted as novaloop's cost.
import 'zod';
import { rawDefaultClient, rawPooledClient } from '../raw-clients.js';
import { rawToolLoop } from '../raw-loop.js';
import { INFRA_QUESTION, SYSTEM } from '../workload.js';

// Static imports are evaluated before this line runs: this is the time spent loading modules.
const loadedMs = performance.now();
const [endpoint = '', variant = 'raw-default'] = process.argv.slice(2);
const client = variant === 'raw-pooled' ? rawPooledClient(endpoint) : rawDefaultClient(endpoint);
const answer = await rawToolLoop(client, INFRA_QUESTION, { system: [{ text: SYSTEM }], maxSteps: 10, stream: false });
console.log(JSON.stringify({ answer: answer.text, loadedMs, answeredMs: performance.now() }));
client.destroy();
