// Makes docs/viewer-collaborators.png and docs/viewer-paused.png, the README's pictures of what the
// viewer shows of today's runs: examples/multi-agent's supervisor with its two collaborators nested
// under its first step, and a cascade whose run paused twice (return of control, then approval) and
// was resumed. Real runs on bedrock-local, the page opened in Debian's chromium.
//
//   npx tsx --conditions=@novaloop/source packages/trace/test/make-team-screenshots.ts
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { Agent, cascade, tool } from '@novaloop/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { z } from 'zod';
import { BILLING_MODEL, INFRA_MODEL, respond, SUPERVISOR_MODEL } from '../../../examples/multi-agent/script.js';
import { jsonlTraceSink } from '../src/index.js';
import { main } from '../src/cli.js';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.js';
import { NOVA_PRO, say, useTool } from './helpers.js';

const docs = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'novaloop-screenshot-'));
const jsonl = join(dir, 'team.jsonl');
const html = join(dir, 'team.html');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sink = jsonlTraceSink(jsonl);

const team = await startLocalBedrock({ responder: respond, latencyMs: 60 });
const clientConfig = { endpoint: team.endpoint, region: 'us-east-1', credentials };
const getInvoice = tool({
  name: 'get_invoice',
  description: 'The lines of an invoice',
  input: z.object({ invoice_id: z.string() }),
  run: ({ invoice_id }) => ({ invoice_id, total_usd: 1284.5, lines: [{ item: 'Fargate compute, payments-api', usd: 912 }] }),
});
const serviceStatus = tool({
  name: 'get_service_status',
  description: 'Health of an ECS service',
  input: z.object({ service: z.string() }),
  run: ({ service }) => ({ service, status: 'degraded', running: 2, desired: 4, last_restart: 'OutOfMemoryError 09:12 UTC' }),
});
const billing = new Agent({ model: BILLING_MODEL, clientConfig, tools: [getInvoice] });
const infrastructure = new Agent({ model: INFRA_MODEL, clientConfig, tools: [serviceStatus] });
const supervisor = new Agent({
  model: SUPERVISOR_MODEL,
  clientConfig,
  tools: [
    billing.asTool({ name: 'billing', description: 'Answers questions about invoices' }),
    infrastructure.asTool({ name: 'infrastructure', description: 'Answers questions about service health' }),
  ],
});
for (const agent of [supervisor, billing, infrastructure]) sink.attach(agent);
const teamRun = await supervisor.run('Why is invoice INV-1042 so high, and is payments-api still restarting?', { sessionId: 'customer-7' });

const shop = await startLocalBedrock({
  script: {
    classify: [{ tool: 'route', label: 'complex' }],
    turns: [
      useTool('lookup_order', { order_id: 'A-17' }, 'I need the order before refunding it.'),
      useTool('refund_order', { order_id: 'A-17', usd: 42 }, 'Delivered and damaged: refund it.'),
      say('Refunded $42 for order A-17.'),
    ],
  },
  latencyMs: 60,
});
const micro = 'us.amazon.nova-micro-v1:0';
const orders = new Agent({
  model: cascade({ classifier: micro, routes: { simple: micro, complex: NOVA_PRO }, fallback: 'simple' }),
  clientConfig: { endpoint: shop.endpoint, region: 'us-east-1', credentials },
  tools: [
    tool({ name: 'lookup_order', description: 'Find an order', input: z.object({ order_id: z.string() }) }),
    tool({
      name: 'refund_order',
      description: 'Refund an order',
      input: z.object({ order_id: z.string(), usd: z.number() }),
      needsApproval: true,
      run: ({ usd }) => ({ refunded: usd }),
    }),
  ],
});
sink.attach(orders);
const paused = await orders.run('Order A-17 arrived damaged, refund it please', { sessionId: 'order-a17' });
await new Promise((resolve) => setTimeout(resolve, 400)); // the application looks the order up
const again = await orders.resume(paused.sessionId, [
  { toolUseId: paused.pending[0]!.toolUseId, result: { status: 'delivered', damaged: true } },
]);
await new Promise((resolve) => setTimeout(resolve, 600)); // a person approves
const done = await orders.resume(paused.sessionId, [{ toolUseId: again.pending[0]!.toolUseId, approve: true }]);
await sink.close();
for (const agent of [supervisor, billing, infrastructure, orders]) agent.close();
await Promise.all([team.close(), shop.close()]);

if ((await main(['trace', 'view', jsonl, '-o', html])) !== 0) process.exit(1);
const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
await page.goto(pathToFileURL(html).href);
await page.waitForSelector('html[data-ready="true"]');
await page.locator(`.run-item[data-run-id="${teamRun.runId}"]`).click();
await page.locator('.collaborator[data-collaborator="billing"] .step[data-step="0"] .step-row').click();
await page.screenshot({ path: docs('viewer-collaborators.png') });
await page.locator(`.run-item[data-run-id="${done.runId}"]`).click();
await page.locator('#steps .step[data-step="1"] .step-row').click();
await page.screenshot({ path: docs('viewer-paused.png') });
await browser.close();
rmSync(dir, { recursive: true, force: true });
console.log(`Wrote ${docs('viewer-collaborators.png')} and ${docs('viewer-paused.png')}`);
