// The service-status action group's Lambda (an OpenAPI action group): reads apiPath, httpMethod and
// the path parameter from the Agents API event, answers with an application/json body.
export const handler = async (event) => {
  const name = event.parameters.find((parameter) => parameter.name === 'service_name')?.value;
  const known = name === 'payments-api' || name === 'report-worker';
  const body = known
    ? { service: name, status: name === 'payments-api' ? 'degraded' : 'healthy', running: 2, desired: 4, last_failure: 'OutOfMemoryError' }
    : { error: `unknown service ${name}` };
  return {
    messageVersion: '1.0',
    response: {
      actionGroup: event.actionGroup,
      apiPath: event.apiPath,
      httpMethod: event.httpMethod,
      httpStatusCode: known ? 200 : 404,
      responseBody: { 'application/json': { body: JSON.stringify(body) } },
    },
  };
};
