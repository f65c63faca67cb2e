// Makes docs/viewer.png, the README's picture of the viewer: the demo's infrastructure assistant run
// on bedrock-local (one throttled request retried, to show a retry), a run whose tool fails, and the
// page opened in Debian's chromium with the tool step expanded.
//
//   npx tsx --conditions=@novaloop/source packages/trace/test/make-screenshot.ts
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { Agent } from '@novaloop/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { jsonlTraceSink } from '../src/index.js';
import { main } from '../src/cli.js';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.js';
import { brokenTool, INFRA_QUESTION, INFRA_SCRIPT, infraTools, NOVA_PRO, say, useTool } from './helpers.js';

const OUT = fileURLToPath(new URL('../docs/viewer.png', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'novaloop-screenshot-'));
const jsonl = join(dir, 'demo.jsonl');
const html = join(dir, 'demo.html');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sink = jsonlTraceSink(jsonl);

const failing = await startLocalBedrock({
  script: {
    turns: [
      useTool('restart_service', { service_name: 'payments-api' }, 'The service is degraded; I will restart it.'),
      say('The restart was refused: a deployment holds the lock.'),
    ],
  },
  latencyMs: 60,
});
const restart = new Agent({
  model: NOVA_PRO,
  tools: [brokenTool],
  clientConfig: { endpoint: failing.endpoint, region: 'us-east-1', credentials },
});
sink.attach(restart);
await restart.run('Restart payments-api', { sessionId: 'ops-7' });

const server = await startLocalBedrock({ script: INFRA_SCRIPT, latencyMs: 80 });
server.injectFaults({ fault: { kind: 'throttling' }, requests: [2] });
const agent = new Agent({
  model: NOVA_PRO,
  system: 'You are an infrastructure assistant. Use the tools to answer with facts.',
  tools: infraTools,
  clientConfig: { endpoint: server.endpoint, region: 'us-east-1', credentials },
  retry: { baseDelayMs: 40, maxDelayMs: 80 },
});
sink.attach(agent);
await agent.run(INFRA_QUESTION, { sessionId: 'ops-7' });
await sink.close();
agent.close();
restart.close();
await Promise.all([server.close(), failing.close()]);

if ((await main(['trace', 'view', jsonl, '-o', html])) !== 0) process.exit(1);
const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1360, height: 860 }, deviceScaleFactor: 1 });
await page.goto(pathToFileURL(html).href);
await page.waitForSelector('html[data-ready="true"]');
await page.locator('#steps .step[data-step="1"] .step-row').click();
await page.screenshot({ path: OUT });
await browser.close();
rmSync(dir, { recursive: true, force: true });
console.log(`Wrote ${OUT}`);
