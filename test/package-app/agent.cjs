// The same program from CommonJS (require of ESM, Node >= 20.19), run by test/package.test.ts against the packed tarballs.
const { Agent, tool } = require('@novaloop/core');
const { startLocalBedrock } = require('@novaloop/bedrock-local');
const { DynamoDBSessionStore, RedisSessionStore, SqliteSessionStore } = require('@novaloop/memory');
const { z } = require('zod');

async function main() {
  const bedrock = await startLocalBedrock({
    script: {
      turns: [
        { content: [{ toolUse: { toolUseId: 'auto', name: 'add', input: { a: 2, b: 3 } } }] },
        { content: [{ text: 'The sum is 5.' }] },
      ],
    },
  });
  const add = tool({
    name: 'add',
    description: 'Adds two numbers',
    input: z.object({ a: z.number(), b: z.number() }),
    run: async ({ a, b }) => ({ sum: a + b }),
  });
  const agent = new Agent({
    model: 'us.amazon.nova-micro-v1:0',
    tools: [add],
    clientConfig: { region: 'us-east-1', endpoint: bedrock.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
  });
  try {
    const result = await agent.run('What is 2 + 3?');
    const toolResult = result.messages.flatMap((m) => m.content ?? []).find((block) => block.toolResult)?.toolResult;
    // No store driver is installed in this app: each store says which packages to install.
    const missing = {};
    for (const [name, store] of Object.entries({
      sqlite: new SqliteSessionStore({ url: ':memory:' }),
      redis: new RedisSessionStore({ url: 'redis://127.0.0.1:1' }),
      dynamodb: new DynamoDBSessionStore({ tableName: 'sessions' }),
    })) {
      const error = await store.load('s').catch((e) => e);
      missing[name] = { code: error.code, packages: error.packages };
    }
    console.log(
      JSON.stringify({
        text: result.text,
        stopReason: result.stopReason,
        toolResult: toolResult?.content,
        missing,
      }),
    );
  } finally {
    agent.close();
    await bedrock.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
