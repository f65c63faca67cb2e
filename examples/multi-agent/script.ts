import type { ConverseCall, ScriptTurn } from '@novaloop/bedrock-local';

export const SUPERVISOR_MODEL = 'us.amazon.nova-pro-v1:0';
export const BILLING_MODEL = 'us.amazon.nova-lite-v1:0';
export const INFRA_MODEL = 'us.amazon.nova-micro-v1:0';

const use = (name: string, input: Record<string, unknown>) => ({ toolUse: { toolUseId: 'auto', name, input } });

/**
 * What bedrock-local answers offline, per model: the supervisor asks both collaborators at once and
 * then answers; each collaborator calls its tool once and then answers. Shaped like Nova's output
 * (a <thinking> rationale before tool calls).
 */
export function respond(call: ConverseCall): ScriptTurn {
  const first = call.turnIndex === 0;
  switch (call.modelId) {
    case SUPERVISOR_MODEL:
      return first
        ? {
            content: [
              {
                text: '<thinking>The customer asks about a charge and about an outage: billing and infrastructure each know one part.</thinking>',
              },
              use('billing', { request: 'What was charged on invoice INV-1042, and for what?' }),
              use('infrastructure', { request: 'Is payments-api healthy, and why did it restart this morning?' }),
            ],
          }
        : {
            content: [
              {
                text:
                  'Invoice INV-1042 is $1,284.50, mostly Fargate compute for payments-api ($912.00). ' +
                  'payments-api is degraded: 2 of 4 tasks run after an OutOfMemoryError at 09:12 UTC; raising its memory limit should stop the restarts.',
              },
            ],
          };
    case BILLING_MODEL:
      return first
        ? { content: [{ text: '<thinking>I need the invoice lines.</thinking>' }, use('get_invoice', { invoice_id: 'INV-1042' })] }
        : { content: [{ text: 'INV-1042 totals $1,284.50: Fargate compute for payments-api $912.00, data transfer $372.50.' }] };
    case INFRA_MODEL:
      return first
        ? { content: [{ text: '<thinking>Check the service status.</thinking>' }, use('get_service_status', { service: 'payments-api' })] }
        : { content: [{ text: 'payments-api is degraded: 2 of 4 tasks running; the last restart was an OutOfMemoryError at 09:12 UTC.' }] };
    default:
      return { content: [{ text: `No script for ${call.modelId}.` }] };
  }
}
