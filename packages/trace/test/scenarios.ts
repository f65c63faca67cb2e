import type { LocalBedrock } from '@novaloop/bedrock-local';
import { cascade, tool, type Agent, type RunResult } from '@novaloop/core';
import { z } from 'zod';
import { BILLING_MODEL, INFRA_MODEL, respond, SUPERVISOR_MODEL } from '../../../examples/multi-agent/script.js';
import { NOVA_PRO, say, useTool, type useKit } from './helpers.js';

// Real runs on bedrock-local that the sink, console, OpenTelemetry and viewer tests all record.

type Kit = ReturnType<typeof useKit>;

export { BILLING_MODEL, INFRA_MODEL, SUPERVISOR_MODEL };
export const SUPPORT_QUESTION = 'Why is invoice INV-1042 so high, and is payments-api still restarting?';

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
  run: ({ service }) => ({ service, status: 'degraded', running: 2, desired: 4 }),
});

/**
 * examples/multi-agent's setup: a supervisor (Nova Pro) asking two collaborators made with
 * `agent.asTool()` at once, "billing" (Nova Lite) and "infrastructure" (Nova Micro).
 */
export async function multiAgent(kit: Kit): Promise<{ server: LocalBedrock; supervisor: Agent; billing: Agent; infrastructure: Agent }> {
  const server = await kit.start({ responder: respond });
  const billing = kit.agentOn(server, { model: BILLING_MODEL, tools: [getInvoice] });
  const infrastructure = kit.agentOn(server, { model: INFRA_MODEL, tools: [serviceStatus] });
  const supervisor = kit.agentOn(server, {
    model: SUPERVISOR_MODEL,
    tools: [
      billing.asTool({ name: 'billing', description: 'Answers questions about invoices' }),
      infrastructure.asTool({ name: 'infrastructure', description: 'Answers questions about service health' }),
    ],
  });
  return { server, supervisor, billing, infrastructure };
}

export const MICRO = 'us.amazon.nova-micro-v1:0';

/**
 * A cascade (classifier Nova Micro routes to Nova Pro) whose run pauses twice: `lookup_order` returns
 * control to the application, then `refund_order` waits for approval; `finish` resumes both.
 */
export async function pausingCascade(kit: Kit) {
  const server = await kit.start({
    script: {
      classify: [{ tool: 'route', label: 'complex' }],
      turns: [
        useTool('lookup_order', { order_id: 'A-17' }, 'I need the order first.'),
        useTool('refund_order', { order_id: 'A-17', usd: 42 }),
        say('Refunded $42 for order A-17.'),
      ],
    },
  });
  const lookup = tool({ name: 'lookup_order', description: 'Find an order', input: z.object({ order_id: z.string() }) });
  const refund = tool({
    name: 'refund_order',
    description: 'Refund an order',
    input: z.object({ order_id: z.string(), usd: z.number() }),
    needsApproval: true,
    run: ({ usd }) => ({ refunded: usd }),
  });
  const agent = kit.agentOn(server, {
    model: cascade({ classifier: MICRO, routes: { simple: MICRO, complex: NOVA_PRO }, fallback: 'simple' }),
    tools: [lookup, refund],
  });
  return {
    agent,
    /** The first run (it pauses for lookup_order). */
    start: (sessionId: string) => agent.run('Refund order A-17', { sessionId }),
    /** Answers lookup_order (the run pauses again, for approval), then approves the refund. */
    async finish(paused: RunResult): Promise<RunResult[]> {
      const lookupCall = paused.pending[0]!;
      const second = await agent.resume(paused.sessionId, [{ toolUseId: lookupCall.toolUseId, result: { status: 'delivered' } }]);
      const refundCall = second.pending[0]!;
      const third = await agent.resume(paused.sessionId, [{ toolUseId: refundCall.toolUseId, approve: true }]);
      return [second, third];
    },
  };
}

/**
 * Two levels of collaborators: the supervisor (Nova Pro) asks "research" (Nova Lite), which asks
 * "lookup" (Nova Micro), which answers from its own knowledge.
 */
export async function nestedCollaborators(kit: Kit): Promise<{ supervisor: Agent }> {
  const ask = (name: string, request: string) => ({ content: [{ toolUse: { toolUseId: 'auto', name, input: { request } } }] });
  const server = await kit.start({
    responder: ({ modelId, turnIndex }) => {
      if (modelId === SUPERVISOR_MODEL) return turnIndex === 0 ? ask('research', 'When was INV-1042 paid?') : say('It was paid on 2 May.');
      if (modelId === BILLING_MODEL) return turnIndex === 0 ? ask('lookup', 'Payment date of INV-1042') : say('Paid on 2 May.');
      return say('2 May');
    },
  });
  const lookup = kit.agentOn(server, { model: INFRA_MODEL, tools: [] });
  const research = kit.agentOn(server, {
    model: BILLING_MODEL,
    tools: [lookup.asTool({ name: 'lookup', description: 'Looks payments up' })],
  });
  const supervisor = kit.agentOn(server, {
    model: SUPERVISOR_MODEL,
    tools: [research.asTool({ name: 'research', description: 'Researches billing questions' })],
  });
  return { supervisor };
}

/**
 * A pause inside a collaborator: the supervisor (Nova Pro) asks "billing" (Nova Lite), whose
 * `restart_service` needs approval, so billing pauses and its supervisor with it.
 */
export async function collaboratorPause(kit: Kit): Promise<{ supervisor: Agent }> {
  const server = await kit.start({
    responder: (call) => {
      const answered = JSON.stringify((call.body as { messages: unknown[] }).messages.at(-1)).includes('toolResult');
      if (call.modelId === BILLING_MODEL) return answered ? say('Restarted.') : useTool('restart_service', { service: 'prod-api' });
      return answered ? say('Billing restarted it.') : useTool('billing', { request: 'Restart prod-api' });
    },
  });
  const restart = tool({
    name: 'restart_service',
    description: 'Restart a service',
    input: z.object({ service: z.string() }),
    needsApproval: true,
    run: () => 'ok',
  });
  const billing = kit.agentOn(server, { model: BILLING_MODEL, tools: [restart] });
  const supervisor = kit.agentOn(server, {
    model: SUPERVISOR_MODEL,
    tools: [billing.asTool({ name: 'billing', description: 'Billing services' })],
  });
  return { supervisor };
}
