// The database action group's Lambda, as deployed for Bedrock Agents: reads the Agents function
// event, answers in the Agents function response format. Stand-in data: the demo's.
export const handler = async (event) => {
  const query = event.parameters.find((parameter) => parameter.name === 'query')?.value ?? '';
  if (!/^\s*select\b/i.test(query)) {
    return {
      messageVersion: '1.0',
      response: {
        actionGroup: event.actionGroup,
        function: event.function,
        functionResponse: { responseState: 'REPROMPT', responseBody: { TEXT: { body: 'Only SELECT statements are allowed.' } } },
      },
    };
  }
  const rows = [
    { service: 'payments-api', failed: 5 },
    { service: 'report-worker', failed: 2 },
  ];
  return {
    messageVersion: '1.0',
    response: {
      actionGroup: event.actionGroup,
      function: event.function,
      functionResponse: { responseBody: { TEXT: { body: JSON.stringify({ rows }) } } },
    },
    // Kept in the session, as Agents keeps them, for the next Lambda and the next turn.
    sessionAttributes: { ...event.sessionAttributes, lastQuery: query },
  };
};
