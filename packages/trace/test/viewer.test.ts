import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cascade } from '@novaloop/core';
import { jsonlTraceSink, readTraceFile, type TraceLine } from '../src/index.js';
import { main } from '../src/cli.js';
import {
  brokenTool,
  expectNoSecrets,
  INFRA_QUESTION,
  INFRA_SCRIPT,
  leakyScript,
  leakyTool,
  NOVA_PRO,
  say,
  useKit,
  useTool,
} from './helpers.js';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.js';
import { BILLING_MODEL, collaboratorPause, INFRA_MODEL, MICRO, multiAgent, pausingCascade, SUPPORT_QUESTION } from './scenarios.js';

// Screenshots and pages land here (git-ignored), so a failure can be looked at.
const OUTPUT = fileURLToPath(new URL('../test-output/viewer/', import.meta.url));
mkdirSync(OUTPUT, { recursive: true });

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
});

/** Runs the CLI on `jsonl`; returns the HTML path and what it printed. */
async function view(jsonl: string, ...extra: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const html = jsonl.replace(/\.jsonl$/, '.html');
  const code = await main(['trace', 'view', jsonl, '-o', html, ...extra], { out: (l) => out.push(l), err: (l) => err.push(l), cwd: '/' });
  return { code, html, out, err };
}

/** Opens the page with every network request refused and page errors collected. */
async function open(html: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(html).href);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 20_000 });
  return { page, errors, requests };
}

describe('novaloop trace view, in chromium', () => {
  const kit = useKit();
  const { start, agentOn, tempDir } = kit;

  it('renders a run: header, one row per step, a step expands to its rationale and tool input; no network', async () => {
    const server = await start({ script: INFRA_SCRIPT, latencyMs: 30 });
    const agent = agentOn(server);
    const jsonl = join(tempDir(), 'infra.jsonl');
    const sink = jsonlTraceSink(jsonl);
    sink.attach(agent);
    const result = await agent.run(INFRA_QUESTION, { sessionId: 'ops-1' });
    await sink.close();

    const { code, html, out } = await view(jsonl);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^Wrote .*infra\.html \(1 run, \d+ trace lines\)/);
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<(link|img|iframe)\b|src=["']?http|https?:\/\//i);

    const { page, errors, requests } = await open(html);
    expect(await page.locator('#stat-steps').textContent()).toBe('3');
    expect(await page.locator('#steps .step').count()).toBe(3);
    expect(await page.locator('#stat-tokens').textContent()).toBe(`${result.usage.inputTokens} / ${result.usage.outputTokens}`);
    expect(await page.locator('#stat-cost').textContent()).toBe(`$${result.costUsd!.toFixed(6)}`);
    expect(await page.locator('#stat-stop').textContent()).toBe('end_turn');
    expect(await page.locator('#run-header').textContent()).toContain('Answer: There were 7 failed ECS tasks');
    // Three model bars and two tool bars on the time axis.
    expect(await page.locator('#steps .bar.model').count()).toBe(3);
    expect(await page.locator('#steps .bar.tool').count()).toBe(2);

    const step2 = page.locator('#steps .step[data-step="1"]');
    await step2.locator('.step-row').click();
    expect(JSON.parse((await step2.locator('.tool-input').textContent()) ?? '')).toEqual({ service_name: 'payments-api' });
    expect(await step2.locator('.tool-output').textContent()).toContain('"degraded"');
    expect(await step2.locator('.rationale').textContent()).toContain('check the current health of payments-api');
    expect(await step2.locator('.detail').textContent()).toContain(`$${result.steps[1]!.costUsd!.toFixed(6)}`);
    await page.screenshot({ path: join(OUTPUT, 'run.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("nests each collaborator's run under the supervisor's call: name, model, tokens, cost and its own steps", async () => {
    const { supervisor, billing, server } = await multiAgent(kit);
    const jsonl = join(tempDir(), 'multi.jsonl');
    const sink = jsonlTraceSink(jsonl);
    // billing's own agent is recorded too (its cost is in the file); infrastructure only through the supervisor.
    sink.attach(supervisor);
    sink.attach(billing);
    const result = await supervisor.run(SUPPORT_QUESTION, { sessionId: 'customer-7' });
    server.injectFaults({ fault: { kind: 'throttling' }, times: Infinity, model: INFRA_MODEL });
    const failing = await supervisor.run(SUPPORT_QUESTION, { sessionId: 'customer-8' });
    await sink.close();

    const { html, out } = await view(jsonl);
    expect(out[0]).toMatch(/\(2 runs and 4 collaborator runs, \d+ trace lines\)/);
    const { page, errors } = await open(html);
    // Collaborators are not runs of their own in the list.
    expect(await page.locator('#run-count').textContent()).toBe('2 of 2 runs');
    await page.locator(`.run-item[data-run-id="${result.runId}"]`).click();
    expect(await page.locator('#stat-tokens').textContent()).toBe(`${result.usage.inputTokens} / ${result.usage.outputTokens}`);
    expect(await page.locator('#stat-cost').textContent()).toBe(`$${result.costUsd!.toFixed(6)}`);
    for (const [model, { usage, costUsd }] of Object.entries(result.usageByModel)) {
      const row = page.locator(`#by-model tr[data-model="${model}"]`);
      expect(await row.locator('td').allTextContents()).toEqual([
        model,
        `${usage.inputTokens} / ${usage.outputTokens}`,
        `$${costUsd!.toFixed(6)}`,
      ]);
    }

    // Both collaborators hang off step 1, in the order they were called, before step 2.
    const step1 = page.locator('#steps > .step-group').nth(0);
    expect(await step1.locator('> .collaborator').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-collaborator')))).toEqual([
      'billing',
      'infrastructure',
    ]);
    expect(await page.locator('#steps > .step-group').nth(1).locator('.collaborator').count()).toBe(0);
    const billingNode = step1.locator('.collaborator[data-collaborator="billing"]');
    const lite = result.usageByModel[BILLING_MODEL]!;
    const facts = await billingNode.locator('.collab-facts').textContent();
    expect(facts).toContain(
      `collaborator billing · ${BILLING_MODEL} · 2 steps · ${lite.usage.inputTokens} in / ${lite.usage.outputTokens} out tokens`,
    );
    expect(facts).toContain(`$${lite.costUsd!.toFixed(6)} · end_turn`);
    const infraFacts = await step1.locator('.collaborator[data-collaborator="infrastructure"] .collab-facts').textContent();
    const micro = result.usageByModel[INFRA_MODEL]!;
    expect(infraFacts).toContain(`${INFRA_MODEL} · 2 steps · ${micro.usage.inputTokens} in / ${micro.usage.outputTokens} out tokens`);
    // Heard only through the supervisor: its cost is not in the file, and the page says so instead of inventing it.
    expect(infraFacts).toContain('cost not recorded');
    // The collaborator's own steps open like the supervisor's.
    const ownStep = billingNode.locator('.step[data-step="0"]');
    await ownStep.locator('.step-row').click();
    expect(JSON.parse((await ownStep.locator('.tool-input').textContent()) ?? '')).toEqual({ invoice_id: 'INV-1042' });
    expect(await ownStep.locator('.rationale').textContent()).toBe('I need the invoice lines.');
    // The supervisor's call names the run it started.
    await step1.locator('> .step .step-row').click();
    const notes = await step1.locator('> .step .collab-note').allTextContents();
    const billingRun = await billingNode.getAttribute('data-run-id');
    expect(notes[0]).toBe(
      `Collaborator billing: run ${billingRun} on ${BILLING_MODEL}, 2 steps, ${lite.usage.inputTokens} in / ${lite.usage.outputTokens} out tokens, ` +
        `$${lite.costUsd!.toFixed(6)} (its steps are drawn under this step)`,
    );
    expect(await page.locator('#steps .bar.collab').count()).toBe(2);
    await page.screenshot({ path: join(OUTPUT, 'collaborators.png'), fullPage: true });

    // A search finds the run by a collaborator's tool.
    await page.locator('#search').fill('get_invoice');
    expect(await page.locator('#run-count').textContent()).toBe('2 of 2 runs');

    // The run whose infrastructure collaborator failed: its nested run is marked, the other is not.
    await page.locator('#search').fill('');
    await page.locator(`.run-item[data-run-id="${failing.runId}"]`).click();
    const failed = page.locator('.collaborator[data-collaborator="infrastructure"]');
    expect(await failed.locator('.bar.collab.err').count()).toBe(1);
    expect(await failed.locator('.collab-facts').textContent()).toContain('failed');
    expect(await failed.locator('.step.failed').count()).toBe(1);
    await failed.locator('.step.failed .step-row').click();
    expect(await failed.locator('.failure-text').textContent()).toContain('BEDROCK_RETRIES_EXHAUSTED');
    expect(await page.locator('.collaborator[data-collaborator="billing"] .bar.collab.err').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows routing before step 1, and a paused run as waiting, then its resumes as one run going on', async () => {
    const scenario = await pausingCascade(kit);
    const jsonl = join(tempDir(), 'paused.jsonl');
    const sink = jsonlTraceSink(jsonl);
    sink.attach(scenario.agent);
    const first = await scenario.start('order-a17');
    const waiting = await scenario.start('order-b2');
    const [second, third] = await scenario.finish(first);
    await sink.close();

    const { html } = await view(jsonl);
    const { page, errors } = await open(html);
    expect(await page.locator('#run-count').textContent()).toBe('2 of 2 runs');

    // The run still waiting on the application.
    await page.locator(`.run-item[data-run-id="${waiting.runId}"]`).click();
    expect(await page.locator(`.run-item[data-run-id="${waiting.runId}"] .badge.paused`).textContent()).toBe('paused');
    expect(await page.locator('#stat-stop').textContent()).toBe('waiting on the application');
    expect(await page.locator('#waiting').textContent()).toBe(
      `Paused: waiting on the application to run lookup_order (invocation ${waiting.pending[0]!.invocationId})`,
    );
    expect(await page.locator('#steps .pause.open .pause-text.still').textContent()).toBe('Not resumed yet.');
    await page.locator('#steps .step[data-step="0"] .step-row').click();
    expect(await page.locator('#steps .step[data-step="0"] .pause-note').textContent()).toBe(
      'Handed to the application (return of control)',
    );
    expect(await page.locator('#steps .step[data-step="0"] .tool-output').textContent()).toBe('(waiting on the application)');

    // The run that was resumed twice: one run, three steps, routing first.
    await page.locator(`.run-item[data-run-id="${first.runId}"]`).click();
    expect(await page.locator(`.run-item[data-run-id="${first.runId}"] .badge.resumed`).textContent()).toBe('resumed ×2');
    expect(await page.locator('#stat-steps').textContent()).toBe('3');
    expect(await page.locator('#stat-stop').textContent()).toBe('end_turn');
    const results = [first, second!, third!];
    const sum = (pick: (r: (typeof results)[number]) => number) => results.reduce((total, r) => total + pick(r), 0);
    expect(await page.locator('#stat-tokens').textContent()).toBe(
      `${sum((r) => r.usage.inputTokens)} / ${sum((r) => r.usage.outputTokens)}`,
    );
    expect(await page.locator('#stat-cost').textContent()).toBe(`$${sum((r) => r.costUsd!).toFixed(6)}`);
    expect(await page.locator('#run-header .answer').textContent()).toBe('Answer: Refunded $42 for order A-17.');
    const route = first.route!;
    expect(await page.locator('#routing-summary').textContent()).toBe(
      `Routed to complex → ${NOVA_PRO} (classifier) by ${MICRO}, ${route.usage.inputTokens} in / ${route.usage.outputTokens} out tokens, $${route.costUsd!.toFixed(6)}, ${Math.round(route.latencyMs)} ms`,
    );
    expect(await page.locator('#by-model tr[data-model] td.model-id').allTextContents()).toEqual([MICRO, NOVA_PRO]);
    // Row order: routing, step 1, its pause, step 2, its pause, step 3.
    const rows = await page
      .locator('#steps .routing, #steps .step, #steps .pause')
      .evaluateAll((nodes) => nodes.map((n) => (n.classList.contains('step') ? `step ${n.getAttribute('data-step')}` : n.className)));
    expect(rows).toEqual(['routing', 'step 0', 'pause', 'step 1', 'pause', 'step 2']);
    await page.locator('#steps .routing .step-row').click();
    expect(await page.locator('.routing-facts').textContent()).toContain(`classifier${MICRO}`);
    const pauses = page.locator('#steps .pause');
    expect(await pauses.nth(0).getAttribute('data-invocation')).toBe(first.pending[0]!.invocationId);
    expect(await pauses.nth(0).locator('.pause-text').first().textContent()).toBe(
      `Paused after step 1, waiting on the application: lookup_order (run by the application) · invocation ${first.pending[0]!.invocationId}`,
    );
    expect(await pauses.nth(0).locator('.pause-text.resumed').textContent()).toMatch(
      /^▶ Resumed \d+ ms later \(same run [0-9a-f]{8}\); the steps below continue it\.$/,
    );
    expect(await pauses.nth(1).locator('.pause-text').first().textContent()).toContain('refund_order (approval)');
    // The paused calls: the application's answer to lookup_order, and the approved refund that then ran.
    await page.locator('#steps .step[data-step="0"] .step-row').click();
    expect(await page.locator('#steps .step[data-step="0"] .tool-output').textContent()).toContain('"delivered"');
    await page.locator('#steps .step[data-step="1"] .step-row').click();
    const refund = page.locator('#steps .step[data-step="1"] .tool-call');
    expect(await refund.locator('.pause-note').textContent()).toBe('Asked the user: Approve refund_order {"order_id":"A-17","usd":42}?');
    expect(await refund.locator('h4').textContent()).toMatch(/^refund_order · success · /);
    expect(await refund.locator('.tool-output').textContent()).toContain('"refunded": 42');
    expect(await page.locator('#steps .bar.wait').count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(OUTPUT, 'paused-resumed.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a pause inside a collaborator: the supervisor waits on billing/restart_service, and the resume goes on in both', async () => {
    const { supervisor } = await collaboratorPause(kit);
    const jsonl = join(tempDir(), 'collaborator-pause.jsonl');
    const sink = jsonlTraceSink(jsonl);
    sink.attach(supervisor);
    const paused = await supervisor.run('Restart prod-api', { sessionId: 'ops-3' });
    const call = paused.pending[0]!;
    expect(call.collaborator).toEqual(['billing']);
    // The page of the file as it is while the run waits, then after the resume.
    await sink.flush();
    const { html: waitingHtml } = await view(jsonl);
    await supervisor.resume(paused.sessionId, [{ toolUseId: call.toolUseId, approve: true }]);
    await sink.close();
    const html = jsonl.replace(/\.jsonl$/, '-resumed.html');
    expect(await main(['trace', 'view', jsonl, '-o', html], { out: () => undefined, err: () => undefined, cwd: '/' })).toBe(0);

    // The supervisor's own pause (the call's invocationId is billing's pause, which it answers through).
    const record = (await readTraceFile(jsonl)).lines.find((line) => line.novaloop?.event === 'pause')?.novaloop;
    const invocationId = record?.event === 'pause' ? record.invocationId : '';
    expect(record).toMatchObject({ stopReason: 'needs_approval', calls: [{ name: 'restart_service', collaborator: ['billing'] }] });
    expect(invocationId).not.toBe(call.invocationId);

    const waiting = await open(waitingHtml);
    expect(await waiting.page.locator('#waiting').textContent()).toBe(
      `Paused: waiting on the application to approve or deny billing/restart_service (invocation ${invocationId})`,
    );
    const nestedWaiting = waiting.page.locator('.collaborator[data-collaborator="billing"]');
    await nestedWaiting.locator('.step[data-step="0"] .step-row').click();
    expect(await nestedWaiting.locator('.tool-call h4').textContent()).toMatch(/^restart_service · waiting /);
    expect(await nestedWaiting.locator('.pause-note').textContent()).toBe(
      'Asked the user: Approve restart_service {"service":"prod-api"}?',
    );
    expect(waiting.errors).toEqual([]);
    await waiting.page.close();

    const { page, errors } = await open(html);
    expect(await page.locator('#run-count').textContent()).toBe('1 of 1 run');
    expect(await page.locator('#stat-stop').textContent()).toBe('end_turn');
    expect(await page.locator('#steps .pause .pause-text').first().textContent()).toBe(
      `Paused after step 1, waiting on the application: billing/restart_service (approval) · invocation ${invocationId}`,
    );
    // billing's run goes on under the same call: the approved call ran, then billing answered.
    const billing = page.locator('.collaborator[data-collaborator="billing"]');
    expect(await billing.locator('.step').count()).toBe(2);
    await billing.locator('.step[data-step="0"] .step-row').click();
    expect(await billing.locator('.step[data-step="0"] .tool-call h4').textContent()).toMatch(/^restart_service · success · /);
    expect(await billing.locator('.step[data-step="0"] .tool-output').textContent()).toBe('ok');
    await billing.locator('.step[data-step="1"] .step-row').click();
    expect(await billing.locator('.step[data-step="1"] .step-answer').textContent()).toBe('Restarted.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a cascade's fallback and why it was taken", async () => {
    const server = await start({ script: { classify: [{ tool: 'route', label: 'urgent' }], turns: [say('On it.')] } });
    const agent = agentOn(server, {
      model: cascade({ classifier: MICRO, routes: { simple: MICRO, complex: NOVA_PRO }, fallback: 'complex' }),
      tools: [],
    });
    const jsonl = join(tempDir(), 'fallback.jsonl');
    const sink = jsonlTraceSink(jsonl);
    sink.attach(agent);
    const result = await agent.run('an outage');
    await sink.close();
    const { html } = await view(jsonl);
    const { page, errors } = await open(html);
    const reason = result.route!.reason!;
    expect(reason).toContain('not one of the routes');
    expect(await page.locator('#routing-summary').textContent()).toMatch(
      new RegExp(
        `^Routed to complex → ${NOVA_PRO.replace(/\./g, '\\.')} \\(fallback: the classifier answered .*urgent.*\\) by ${MICRO.replace(/\./g, '\\.')}`,
      ),
    );
    await page.locator('#steps .routing .step-row').click();
    const facts = await page.locator('.routing-facts tr').evaluateAll((rows) => rows.map((row) => row.textContent));
    expect(facts).toContain(`sourcefallback`);
    expect(facts).toContain(`fallback reason${reason}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders a failing run: tool error, retry and failureTrace are marked', async () => {
    const server = await start({
      script: { turns: [useTool('restart_service', { service_name: 'payments-api' }, 'Restart it.'), say('It is locked.')] },
    });
    server.injectFaults({ fault: { kind: 'throttling' }, requests: [2] });
    const agent = agentOn(server, { tools: [brokenTool] });
    const jsonl = join(tempDir(), 'failing.jsonl');
    const sink = jsonlTraceSink(jsonl);
    sink.attach(agent);
    await agent.run('restart payments-api', { sessionId: 'tool-error' });
    server.injectFaults({ fault: { kind: 'throttling' }, times: Infinity });
    await expect(agent.run('again', { sessionId: 'exhausted' })).rejects.toMatchObject({ code: 'BEDROCK_RETRIES_EXHAUSTED' });
    await sink.close();

    const { html } = await view(jsonl);
    const { page, errors } = await open(html);
    // Newest first: the exhausted run is selected.
    expect(await page.locator('#stat-stop').textContent()).toBe('failed');
    expect(await page.locator('#run-header .failure').textContent()).toMatch(/BEDROCK_RETRIES_EXHAUSTED: .*Throttl/);
    const failed = page.locator('#steps .step.failed');
    expect(await failed.count()).toBe(1);
    await failed.locator('.step-row').click();
    expect(await failed.locator('.failure-text').textContent()).toContain('BEDROCK_RETRIES_EXHAUSTED');
    expect(await failed.locator('.retry').count()).toBeGreaterThan(0);
    expect(await failed.locator('.bar.model.err').count()).toBeGreaterThan(1);
    expect(await page.locator('.run-item .badge.err').allTextContents()).toEqual(['failed', '1 failed step']);

    await page.locator('.run-item', { hasText: 'end_turn' }).click();
    expect(await page.locator('#stat-stop').textContent()).toBe('end_turn');
    const toolStep = page.locator('#steps .step[data-step="1"]');
    expect(await page.locator('#steps .step.failed').count()).toBe(1);
    await page.locator('#steps .step.failed .step-row').click();
    expect(await page.locator('#steps .step.failed .tool-output.err').textContent()).toContain('restart refused');
    await toolStep.locator('.step-row').click();
    expect(await toolStep.locator('.retry').textContent()).toMatch(/attempt 2 .*Throttl/);
    await page.screenshot({ path: join(OUTPUT, 'failing.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows untrusted trace content as text: a <script> in a tool output is never run', async () => {
    const jsonl = join(tempDir(), 'xss.jsonl');
    const payload = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
    const runId = 'run-xss';
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
    const lines: TraceLine[] = [
      {
        runId,
        sessionId: 's<b>',
        eventTime: at(0),
        trace: { customOrchestrationTrace: { traceId: runId, event: { text: 'novaloop run-start' } } },
        novaloop: { event: 'run-start', input: payload },
      },
      {
        runId,
        sessionId: 's<b>',
        eventTime: at(1),
        trace: { orchestrationTrace: { modelInvocationInput: { traceId: `${runId}-0`, foundationModel: 'm', attempt: 1 } } },
      },
      {
        runId,
        sessionId: 's<b>',
        eventTime: at(5),
        trace: {
          orchestrationTrace: {
            modelInvocationOutput: {
              traceId: `${runId}-0`,
              stopReason: 'tool_use',
              metadata: { usage: { inputTokens: 1, outputTokens: 1 } },
            },
          },
        },
      },
      {
        runId,
        sessionId: 's<b>',
        eventTime: at(6),
        trace: {
          orchestrationTrace: {
            invocationInput: {
              traceId: `${runId}-0`,
              invocationType: 'ACTION_GROUP',
              actionGroupInvocationInput: { function: 'x<i>', invocationId: 't1', input: { q: payload } },
            },
          },
        },
      },
      {
        runId,
        sessionId: 's<b>',
        eventTime: at(9),
        trace: {
          orchestrationTrace: {
            observation: {
              traceId: `${runId}-0`,
              type: 'ACTION_GROUP',
              actionGroupInvocationOutput: { function: 'x<i>', invocationId: 't1', status: 'success', text: payload },
            },
          },
        },
      },
    ];
    writeFileSync(jsonl, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const { html } = await view(jsonl);
    expect(readFileSync(html, 'utf8')).not.toContain('<script>window.__pwned');
    const { page } = await open(html);
    await page.locator('#steps .step-row').first().click();
    expect(await page.locator('.tool-output').textContent()).toBe(payload);
    expect(await page.locator('#run-header .q').textContent()).toBe(`User: ${payload}`);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    await page.close();
  });

  it('reads today’s and the Agents-reshaped trace part fields, and shows unknown parts as JSON', async () => {
    const jsonl = join(tempDir(), 'reshaped.jsonl');
    const runId = 'run-reshaped';
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
    const part = (ms: number, trace: Record<string, unknown>): TraceLine => ({ runId, sessionId: 's', eventTime: at(ms), trace });
    const lines = [
      part(0, { orchestrationTrace: { modelInvocationInput: { traceId: `${runId}-0`, foundationModel: 'amazon.nova-pro-v1:0' } } }),
      part(3, {
        orchestrationTrace: { modelInvocationOutput: { traceId: `${runId}-0`, metadata: { usage: { inputTokens: 10, outputTokens: 4 } } } },
      }),
      part(4, {
        orchestrationTrace: {
          invocationInput: {
            traceId: `${runId}-0`,
            invocationType: 'ACTION_GROUP',
            actionGroupInvocationInput: {
              function: 'lookup_order',
              invocationId: 'c1',
              executionType: 'LAMBDA',
              parameters: [{ name: 'order_id', type: 'string', value: 'A-17' }],
            },
          },
        },
      }),
      part(7, {
        orchestrationTrace: {
          observation: {
            traceId: `${runId}-0`,
            type: 'ACTION_GROUP',
            actionGroupInvocationOutput: { invocationId: 'c1', text: 'shipped' },
          },
        },
      }),
      part(8, {
        orchestrationTrace: {
          invocationInput: {
            traceId: `${runId}-0`,
            invocationType: 'KNOWLEDGE_BASE',
            knowledgeBaseLookupInput: { knowledgeBaseId: 'KB1', text: 'refund policy' },
          },
        },
      }),
      part(12, {
        orchestrationTrace: {
          observation: {
            traceId: `${runId}-0`,
            type: 'KNOWLEDGE_BASE',
            knowledgeBaseLookupOutput: { retrievedReferences: [{ content: { text: 'Refunds within 30 days' } }] },
          },
        },
      }),
      part(13, { guardrailTrace: { action: 'NONE', traceId: 'g1' } }),
      part(14, { failureTrace: { traceId: `${runId}-0`, failureReason: 'Lambda timed out', failureCode: 504 } }),
    ];
    writeFileSync(jsonl, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const { html } = await view(jsonl);
    const { page, errors } = await open(html);
    await page.locator('#steps .step-row').first().click();
    const inputs = await page.locator('.tool-input').allTextContents();
    expect(JSON.parse(inputs[0] ?? '')).toEqual({ order_id: 'A-17' });
    expect(JSON.parse(inputs[1] ?? '')).toEqual({ text: 'refund policy', knowledgeBaseId: 'KB1' });
    expect(await page.locator('.tool-output').nth(1).textContent()).toContain('Refunds within 30 days');
    expect(await page.locator('.failure-text').textContent()).toBe('504: Lambda timed out');
    expect(await page.locator('.other').textContent()).toContain('"guardrailTrace"');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a 200-step run and a file of 1,000 runs stay usable: rows render lazily, search finds a run', async () => {
    const turns = [
      ...Array.from({ length: 199 }, (_, i) => useTool('get_service_status', { service_name: `svc-${i}` })),
      say('All checked.'),
    ];
    const server = await start({ script: { turns } });
    const agent = agentOn(server, { maxSteps: 200 });
    const jsonl = join(tempDir(), 'big.jsonl');
    const sink = jsonlTraceSink(jsonl);
    sink.attach(agent);
    const long = await agent.run('check every service', { sessionId: 'long' });
    expect(long.steps).toHaveLength(200);
    // 999 more runs: copies of a real short run under new ids (running a thousand agents would only slow the test).
    const small = agentOn(await start({ script: INFRA_SCRIPT }));
    sink.attach(small);
    const short = await small.run(INFRA_QUESTION, { sessionId: 'short' });
    await sink.close();
    const { lines } = await readTraceFile(jsonl);
    const shortLines = lines.filter((line) => line.runId === short.runId);
    const copies: string[] = [];
    for (let i = 0; i < 998; i++) {
      const runId = `copy-${String(i).padStart(4, '0')}`;
      for (const line of shortLines) copies.push(JSON.stringify({ ...line, runId, sessionId: `tenant-${String(i).padStart(4, '0')}` }));
    }
    writeFileSync(jsonl, readFileSync(jsonl, 'utf8') + copies.join('\n') + '\n');

    const { html, out } = await view(jsonl);
    expect(out[0]).toContain('(1000 runs,');
    const { page, errors } = await open(html);
    expect(await page.locator('#run-count').textContent()).toBe('1000 of 1000 runs');
    // Only the rows in view exist.
    expect(await page.locator('.run-item').count()).toBeLessThan(60);
    await page.locator('#search').fill('tenant-0421');
    expect(await page.locator('#run-count').textContent()).toBe('1 of 1000 runs');
    await page.locator('.run-item').first().click();
    expect(await page.locator('#run-header').textContent()).toContain('tenant-0421');

    await page.locator('#search').fill('check every service');
    await page.locator('.run-item').first().click();
    expect(await page.locator('#stat-steps').textContent()).toBe('200');
    // The first chunk is drawn; scrolling draws the rest.
    const drawn = await page.locator('#steps .step').count();
    expect(drawn).toBeLessThan(200);
    for (let i = 0; i < 10 && (await page.locator('#steps .step').count()) < 200; i++) {
      await page.locator('#run').evaluate((main) => main.scrollTo(0, main.scrollHeight));
      await page.waitForTimeout(100);
    }
    expect(await page.locator('#steps .step').count()).toBe(200);
    const last = page.locator('#steps .step[data-step="199"]');
    await last.locator('.step-row').click();
    expect(await last.locator('.step-answer').textContent()).toBe('All checked.');
    await page.screenshot({ path: join(OUTPUT, 'long-run.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('redacts secrets in the page, even from a file written without redaction', async () => {
    const server = await start({ script: leakyScript });
    const agent = agentOn(server, { tools: [leakyTool] });
    const jsonl = join(tempDir(), 'plain.jsonl');
    const sink = jsonlTraceSink(jsonl, { redact: false });
    sink.attach(agent);
    await agent.run('get the deploy credentials');
    await sink.close();
    expect(readFileSync(jsonl, 'utf8')).toContain('hunter2');

    const { html } = await view(jsonl);
    expectNoSecrets(readFileSync(html, 'utf8'));
    const { page } = await open(html);
    await page.locator('#steps .step-row').first().click();
    expectNoSecrets((await page.locator('body').textContent()) ?? '');
    expect(await page.locator('.tool-input').textContent()).toContain('[REDACTED]');
    await page.close();

    // --no-redact shows them: the check above is not vacuous.
    const { html: plain } = await view(jsonl, '--no-redact');
    expect(readFileSync(plain, 'utf8')).toContain('hunter2');
  });
});
