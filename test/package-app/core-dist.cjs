// The CommonJS flavour of core-dist.mjs (require of the ESM packages), run by test/package.test.ts.
const { BedrockRuntimeClient } = require('@aws-sdk/client-bedrock-runtime');
const core = require('@novaloop/core');
const batchSupport = require('@novaloop/core/batch-support');
const sessionStore = require('@novaloop/core/session-store');
const { startLocalBedrock } = require('@novaloop/bedrock-local');
const { z } = require('zod');

async function main() {
  const bedrock = await startLocalBedrock({
    script: {
      turns: [
        { content: [{ toolUse: { toolUseId: 'auto', name: 'add', input: { a: 2, b: 3 } } }] },
        { content: [{ text: 'The sum is 5.' }] },
      ],
      classify: [{ match: 'charged', label: 'BILLING' }, { label: 'OTHER' }],
    },
  });
  const clientConfig = { region: 'us-east-1', endpoint: bedrock.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const add = core.tool({
    name: 'add',
    description: 'Adds two numbers',
    input: z.object({ a: z.number(), b: z.number() }),
    run: async ({ a, b }) => ({ sum: a + b }),
  });
  const client = new BedrockRuntimeClient({ ...clientConfig, credentials: { ...clientConfig.credentials } });

  async function answer(options) {
    const agent = new core.Agent({ model: 'us.amazon.nova-micro-v1:0', tools: [add], ...options });
    try {
      return (await agent.run('What is 2 + 3?')).text;
    } finally {
      agent.close();
    }
  }

  try {
    const conflict = new sessionStore.SessionConflictError('s', 1, 2);
    const classified = await batchSupport.runSingleCall(
      batchSupport.prepareClassify('I was charged twice', { model: 'us.amazon.nova-micro-v1:0', labels: ['BILLING', 'OTHER'] }),
      client,
    );
    console.log(
      JSON.stringify({
        sameClasses:
          sessionStore.SessionConflictError === core.SessionConflictError &&
          sessionStore.SessionCorruptError === core.SessionCorruptError &&
          conflict instanceof core.NovaloopError,
        lean: {
          converse: await answer({ transport: 'lean', stream: false, clientConfig }),
          stream: await answer({ transport: 'lean', stream: true, clientConfig }),
        },
        appClient: await answer({ client }),
        batchSupport: classified.value,
      }),
    );
  } finally {
    client.destroy();
    await bedrock.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
