// The same program from CommonJS (require of ESM), also using @novaloop/tools and @novaloop/trace, run by test/package.test.ts against
// the packed tarballs: an agent with the calculator tool, its run written by the JSONL trace sink.
const { Agent } = require('@novaloop/core');
const { startLocalBedrock } = require('@novaloop/bedrock-local');
const { calculator, tryTool } = require('@novaloop/tools');
const { jsonlTraceSink, readTraceFile } = require('@novaloop/trace');

async function main() {
  const [tracePath] = process.argv.slice(2);
  const bedrock = await startLocalBedrock({
    script: {
      turns: [
        { content: [{ toolUse: { toolUseId: 'auto', name: 'calculator', input: { expression: '(2 + 3) * 4' } } }] },
        { content: [{ text: 'It is 20.' }] },
      ],
    },
  });
  const agent = new Agent({
    model: 'us.amazon.nova-micro-v1:0',
    tools: [calculator()],
    clientConfig: { region: 'us-east-1', endpoint: bedrock.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
  });
  const sink = jsonlTraceSink(tracePath);
  sink.attach(agent);
  try {
    const result = await agent.run('What is (2 + 3) * 4?');
    await sink.close();
    const file = await readTraceFile(tracePath);
    const direct = await tryTool(calculator(), { expression: '1 / 0' });
    console.log(
      JSON.stringify({
        text: result.text,
        traceLines: file.lines.length > 0,
        skipped: file.skipped.length,
        divByZero: direct.status === 'error' ? direct.code : direct.status,
      }),
    );
  } finally {
    agent.close();
    await bedrock.close();
  }
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
