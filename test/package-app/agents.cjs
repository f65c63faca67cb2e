// The same program from CommonJS (require of ESM packages): an app's program using @novaloop/bedrock-agents, run by test/package.test.ts against the packed
// tarballs: a Bedrock agent (on bedrock-local) with a function action group whose Lambda answers in
// the Agents format, migrated with fromBedrockAgent and run with invokeAgentStream.
const { startLocalBedrock } = require('@novaloop/bedrock-local');
const { fromBedrockAgent, invokeAgentStream } = require('@novaloop/bedrock-agents');

async function main() {
  const events = [];
  const bedrock = await startLocalBedrock({
    agents: [
      {
        agent: { agentId: 'AGENT00001', agentName: 'adder', instruction: 'Add numbers.', foundationModel: 'us.amazon.nova-micro-v1:0' },
        actionGroups: [
          {
            actionGroupId: 'GROUP00001',
            actionGroupName: 'math',
            actionGroupExecutor: { lambda: 'arn:aws:lambda:us-east-1:123456789012:function:math' },
            functionSchema: {
              functions: [
                {
                  name: 'add',
                  description: 'Adds two numbers',
                  parameters: { a: { type: 'number', required: true }, b: { type: 'number', required: true } },
                },
              ],
            },
          },
        ],
      },
    ],
    lambdaFunctions: {
      math: {
        handler: async (event) => {
          events.push(event.function);
          const [a, b] = event.parameters.map((parameter) => Number(parameter.value));
          return {
            messageVersion: '1.0',
            response: {
              actionGroup: event.actionGroup,
              function: event.function,
              functionResponse: { responseBody: { TEXT: { body: String(a + b) } } },
            },
          };
        },
      },
    },
    script: {
      turns: [
        { content: [{ toolUse: { toolUseId: 'auto', name: 'add', input: { a: 2, b: 3 } } }] },
        { content: [{ text: 'The sum is 5.' }] },
      ],
    },
  });
  const config = () => ({
    region: 'us-east-1',
    endpoint: bedrock.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const agent = await fromBedrockAgent({
    agentId: 'AGENT00001',
    clientConfig: config(),
    lambdaClientConfig: config(),
    agentOptions: { clientConfig: config() },
  });
  try {
    let text = '';
    for await (const event of invokeAgentStream(agent, { inputText: 'What is 2 + 3?', sessionId: 'session-1' })) {
      if (event.chunk) text += new TextDecoder().decode(event.chunk.bytes);
    }
    console.log(JSON.stringify({ text, lambdaCalls: events, tools: agent.actions.map((action) => action.toolName) }));
  } finally {
    agent.close();
    await bedrock.close();
  }
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
