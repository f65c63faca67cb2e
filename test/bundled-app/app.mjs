// An app's program, bundled by test/bundled-app.test.ts with esbuild into one CommonJS file (as a
// Lambda deployment bundles one) and run with nothing installed beside it: `node app.cjs ENDPOINT`.
import { Agent, tool } from '@novaloop/core';
import { SessionConflictError } from '@novaloop/core/session-store';
import { z } from 'zod';

const [endpoint] = process.argv.slice(2);
const add = tool({
  name: 'add',
  description: 'Adds two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  run: async ({ a, b }) => ({ sum: a + b }),
});
const clientConfig = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

async function main() {
  const texts = {};
  for (const transport of ['sdk', 'lean']) {
    for (const stream of [false, true]) {
      const agent = new Agent({ model: 'us.amazon.nova-micro-v1:0', tools: [add], transport, stream, clientConfig });
      try {
        texts[`${transport} ${stream ? 'stream' : 'converse'}`] = (await agent.run('What is 2 + 3?')).text;
      } finally {
        agent.close();
      }
    }
  }
  const conflict = new SessionConflictError('s', 1, 2);
  console.log(JSON.stringify({ texts, conflict: { name: conflict.name, code: conflict.code } }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
