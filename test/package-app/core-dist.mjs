// core's bundled dist/ as an app gets it, run by test/package.test.ts: the three entry points share one
// copy of each class, the lean transport loads its signer and codec on first use, and an app's own
// SDK client (imported as ESM, where core loads the SDK with require) drives an agent and batch-support.
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import * as core from '@novaloop/core';
import * as batchSupport from '@novaloop/core/batch-support';
import * as sessionStore from '@novaloop/core/session-store';
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { z } from 'zod';

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
