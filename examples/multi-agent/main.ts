// Multi-agent collaboration, offline: a supervisor (Nova Pro) with two collaborators made with
// `agent.asTool()` — "billing" (Nova Lite, a zod tool) and "infrastructure" (Nova Micro, whose tools
// come from the local MCP server ops-mcp-server.mjs through @novaloop/mcp). Prints the nested trace as
// it happens, the answer, and the tokens and cost of each agent.
//
//   npx pnpm@10 multi-agent      (from the repository root; bedrock-local on loopback, no AWS account)
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { Agent, formatUsd, tool, type RunResult, type TracePart } from '@novaloop/core';
import { mcpTools } from '@novaloop/mcp';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { BILLING_MODEL, INFRA_MODEL, respond, SUPERVISOR_MODEL } from './script.js';

export const QUESTION = 'Why is invoice INV-1042 so high, and is payments-api still restarting?';
const MCP_SERVER = fileURLToPath(new URL('./ops-mcp-server.mjs', import.meta.url));

const getInvoice = tool({
  name: 'get_invoice',
  description: 'The lines of an invoice',
  input: z.object({ invoice_id: z.string().describe('e.g. INV-1042') }),
  run: ({ invoice_id }) => ({
    invoice_id,
    total_usd: 1284.5,
    lines: [
      { item: 'Fargate compute, payments-api', usd: 912.0 },
      { item: 'Data transfer', usd: 372.5 },
    ],
  }),
});

/** Runs the example; `out` gets one line at a time. Returns the supervisor's result. */
export async function main(out: (line: string) => void = console.log): Promise<RunResult> {
  const bedrock = await startLocalBedrock({ responder: respond });
  const ops = await mcpTools({ command: process.execPath, args: [MCP_SERVER] });
  const agents: Agent[] = [];
  try {
    // The AWS SDK reads the endpoint the same way from AWS_ENDPOINT_URL_BEDROCK_RUNTIME; it is passed
    // here so the example runs without touching the environment.
    const clientConfig = {
      endpoint: bedrock.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    const billing = new Agent({
      model: BILLING_MODEL,
      clientConfig,
      system: 'You answer billing questions from invoices.',
      tools: [getInvoice],
    });
    const infrastructure = new Agent({
      model: INFRA_MODEL,
      clientConfig,
      system: 'You answer questions about the ECS services.',
      tools: ops.tools,
    });
    const supervisor = new Agent({
      model: SUPERVISOR_MODEL,
      clientConfig,
      system: 'You are the support supervisor. Ask your collaborators, then answer the customer in two sentences.',
      tools: [
        billing.asTool({ name: 'billing', description: 'Answers questions about invoices and charges' }),
        infrastructure.asTool({ name: 'infrastructure', description: 'Answers questions about service health and incidents' }),
      ],
      maxCostUsd: 0.05,
    });
    agents.push(billing, infrastructure, supervisor);

    supervisor.events.on('trace', (part) => {
      const line = describe(part);
      if (line) out(`${part.collaboratorName ? `    ${part.collaboratorName.padEnd(16)}` : 'supervisor'.padEnd(20)}${line}`);
    });
    out(`User: ${QUESTION}`);
    const result = await supervisor.run(QUESTION, { sessionId: 'customer-7' });
    out('');
    out(`Answer: ${result.text}`);
    out('');
    const names: Record<string, string> = { [SUPERVISOR_MODEL]: 'supervisor', [BILLING_MODEL]: 'billing', [INFRA_MODEL]: 'infrastructure' };
    for (const [model, { usage, costUsd }] of Object.entries(result.usageByModel)) {
      out(
        `${(names[model] ?? model).padEnd(16)}${model.padEnd(28)}${`${usage.inputTokens} in / ${usage.outputTokens} out`.padEnd(22)}${formatUsd(costUsd)}`,
      );
    }
    out(
      `${'total'.padEnd(44)}${`${result.usage.inputTokens} in / ${result.usage.outputTokens} out`.padEnd(22)}${formatUsd(result.costUsd)}`,
    );
    return result;
  } finally {
    for (const agent of agents) agent.close();
    await ops.close();
    await bedrock.close();
  }
}

const clip = (text: string, max = 110) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** One line for the parts worth reading; model invocations are left out. */
function describe(part: TracePart): string | undefined {
  if ('failureTrace' in part.trace) return `failed: ${part.trace.failureTrace.failureReason}`;
  if (!('orchestrationTrace' in part.trace)) return undefined;
  const trace = part.trace.orchestrationTrace;
  if ('rationale' in trace) return `thinks: ${clip(trace.rationale.text)}`;
  if ('invocationInput' in trace) {
    const input = trace.invocationInput;
    if (input.invocationType === 'AGENT_COLLABORATOR') {
      const call = input.agentCollaboratorInvocationInput;
      return `asks ${call.agentCollaboratorName}: ${clip(call.input.text)}`;
    }
    if (input.invocationType === 'ACTION_GROUP') {
      return `calls ${input.actionGroupInvocationInput.function} ${JSON.stringify(input.actionGroupInvocationInput.input)}`;
    }
    return undefined;
  }
  if ('observation' in trace) {
    const observation = trace.observation;
    if (observation.type === 'AGENT_COLLABORATOR') {
      const answer = observation.agentCollaboratorInvocationOutput;
      return `${answer.agentCollaboratorName} answered: ${clip(answer.output.text)}`;
    }
    if (observation.type === 'ACTION_GROUP') {
      return `${observation.actionGroupInvocationOutput.function} returned: ${clip(observation.actionGroupInvocationOutput.text)}`;
    }
    if (observation.type === 'FINISH') return `answers: ${clip(observation.finalResponse.text)}`;
  }
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
