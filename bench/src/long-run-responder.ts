// bedrock-local's side of scenario 2: a model that keeps calling tools until the run has used the
// number of model calls its question asks for, then answers. Each tool turn looks like Nova's (a
// <thinking> rationale, then one toolUse), so the history grows the way a real long run's does.
import { BedrockServiceError, type Responder, type ScriptTurn } from '@novaloop/bedrock-local';
import { GET_SERVICE_STATUS, longRunCalls, QUERY_DATABASE } from './workload.js';

const SERVICES = ['payments-api', 'report-worker', 'checkout-web', 'search-indexer', 'email-sender'];

export const longRunResponder: Responder = ({ body, turnIndex }) => {
  const first = body.messages[0]?.content?.[0];
  const question = first && typeof first === 'object' && 'text' in first && typeof first.text === 'string' ? first.text : '';
  const calls = longRunCalls(question);
  if (calls === undefined) throw new BedrockServiceError(400, 'ValidationException', 'bedrock-local: not a long-run question.');
  return turnIndex + 1 >= calls ? answer(calls) : toolTurn(turnIndex);
};

function toolTurn(turnIndex: number): ScriptTurn {
  const service = SERVICES[turnIndex % SERVICES.length] ?? 'payments-api';
  if (turnIndex % 2 === 0) {
    return {
      content: [
        { text: `<thinking>I should check ${service}'s current health before moving on to the next service.</thinking>\n` },
        { toolUse: { toolUseId: 'auto', name: GET_SERVICE_STATUS.name, input: { service_name: service } } },
      ],
    };
  }
  return {
    content: [
      { text: `<thinking>To see whether ${service}'s failures are recent, I will count its failed tasks in the last hour.</thinking>\n` },
      {
        toolUse: {
          toolUseId: 'auto',
          name: QUERY_DATABASE.name,
          input: { query: `SELECT COUNT(*) AS failed FROM ecs_tasks WHERE service = '${service}' AND status = 'FAILED'` },
        },
      },
    ],
  };
}

const answer = (calls: number): ScriptTurn => ({
  content: [
    {
      text: `I checked ${calls - 1} times across ${SERVICES.length} services: payments-api is degraded (2 of 4 tasks running, OutOfMemoryError) and accounts for most failures; the others are healthy.`,
    },
  ],
});
