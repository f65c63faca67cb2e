// Scenario 4's one-run script for novaloop: `node novaloop.js ENDPOINT converse|stream [lean]`.
// Prints the answer as soon as it has it; the parent times process start to that line.
import { performance } from 'node:perf_hooks';
import { infraAgent } from '../novaloop-agent.js';
import { INFRA_QUESTION, SYSTEM } from '../workload.js';

// Static imports are evaluated before this line runs: this is the time spent loading modules.
const loadedMs = performance.now();
const [endpoint = '', mode = 'stream', transport = 'sdk'] = process.argv.slice(2);
const agent = infraAgent({
  endpoint,
  stream: mode === 'stream',
  transport: transport === 'lean' ? 'lean' : 'sdk',
  system: SYSTEM,
  maxSteps: 10,
});
const result = await agent.run(INFRA_QUESTION);
console.log(JSON.stringify({ answer: result.text, loadedMs, answeredMs: performance.now() }));
agent.close();
