// What every variant runs: the infrastructure assistant from the "Direct Nova Pro" example (its
// question, system prompt and two tools with fixed data) and the long runs of scenario 2. The raw
// loops and novaloop both take their tools from here, so the conversations they send are the same.
import type { Tool as ToolEntry } from '@aws-sdk/client-bedrock-runtime';
import { fileURLToPath } from 'node:url';

export const MODEL = 'us.amazon.nova-pro-v1:0';
export const SYSTEM = 'You are an infrastructure assistant. Use the tools to answer with facts.';
export const INFRA_QUESTION = 'How many failed ECS tasks do we have in the last hour?';
/** Three model calls: two tool calls, then the answer. */
export const INFRA_SCRIPT = fileURLToPath(new URL('../../examples/scripts/infra-assistant.json', import.meta.url));
export const INFRA_MODEL_CALLS = 3;

/** bedrock-local's keyword rules for the support-ticket classify() workload (scenarios 8 and 9). */
export const TICKET_RULES = {
  classify: [
    { match: 'refund|charged', label: 'BILLING' },
    { match: 'parcel|tracking', label: 'SHIPPING' },
    { match: 'crash', label: 'TECHNICAL' },
    { match: 'exchange|wrong size', label: 'RETURNS' },
    { label: 'OTHER' },
  ],
};

export const QUERY_DATABASE = {
  name: 'query_database',
  description: 'Run a read-only SQL query against the operations database',
  queryDescription: 'One read-only SQL SELECT statement',
} as const;

export const GET_SERVICE_STATUS = {
  name: 'get_service_status',
  description: 'Get current health status of an AWS service or ECS task',
  serviceNameDescription: 'The service or ECS task name, e.g. payments-api',
} as const;

export const queryDatabase = () => ({
  rows: [
    { service: 'payments-api', failed: 5 },
    { service: 'report-worker', failed: 2 },
  ],
});

export const getServiceStatus = (serviceName: string) => ({
  service: serviceName,
  status: 'degraded',
  running: 2,
  desired: 4,
  last_failure: 'OutOfMemoryError',
});

/** The tool specs as a hand-written loop declares them: JSON Schema written out, no library. */
export const TOOL_SPECS: ToolEntry[] = [
  {
    toolSpec: {
      name: QUERY_DATABASE.name,
      description: QUERY_DATABASE.description,
      inputSchema: {
        json: {
          type: 'object',
          properties: { query: { type: 'string', description: QUERY_DATABASE.queryDescription } },
          required: ['query'],
        },
      },
    },
  },
  {
    toolSpec: {
      name: GET_SERVICE_STATUS.name,
      description: GET_SERVICE_STATUS.description,
      inputSchema: {
        json: {
          type: 'object',
          properties: { service_name: { type: 'string', description: GET_SERVICE_STATUS.serviceNameDescription } },
          required: ['service_name'],
        },
      },
    },
  },
];

/** Scenario 2's question; the long-run responder reads the number of model calls from it. */
export const longRunQuestion = (modelCalls: number) =>
  `Check the health of every ECS service one at a time, then summarise what is failing (${modelCalls} steps).`;

export function longRunCalls(question: string): number | undefined {
  const match = /\((\d+) steps\)/.exec(question);
  return match ? Number(match[1]) : undefined;
}
