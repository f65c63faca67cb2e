import { BedrockAgentClient, GetAgentCommand } from '@aws-sdk/client-bedrock-agent';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBedrock } from '../src/index.js';
import { sdkClient } from './helpers.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const bin = join(packageDir, 'bin', 'novaloop-bedrock-local.js');
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  // The bin runs the built dist/, exactly as an installed package would; build it from current sources.
  execFileSync(
    process.execPath,
    [join(packageDir, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(packageDir, 'tsconfig.build.json')],
    {
      stdio: 'inherit',
    },
  );
}, 120_000);

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function launch(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; endpoint: string }> {
  const child = spawn(process.execPath, [bin, ...args]);
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  const [endpoint] = (await once(lines, 'line')) as [string];
  return { child, endpoint };
}

describe('novaloop-bedrock-local CLI', () => {
  it('prints the endpoint on its first line and serves the real SDK with a script file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bedrock-local-cli-'));
    const script = join(dir, 'script.json');
    await writeFile(script, JSON.stringify({ turns: [{ content: [{ text: 'scripted from the CLI' }] }] }));
    const { child, endpoint } = await launch(['--port', '0', '--script', script, '--latency-ms', '5']);
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const client = sdkClient({ endpoint } as LocalBedrock);
    const response = await client.send(
      new ConverseCommand({ modelId: 'us.amazon.nova-micro-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    );
    expect(response.output?.message?.content?.[0]?.text).toBe('scripted from the CLI');

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('accepts the leading `--` that `pnpm run bedrock-local -- --port N` passes on', async () => {
    const { child, endpoint } = await launch(['--', '--port', '0', '--latency-ms', '1']);
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await sdkClient({ endpoint } as LocalBedrock).send(
      new ConverseCommand({ modelId: 'us.amazon.nova-micro-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
    );
    expect(response.stopReason).toBe('end_turn');
    child.kill('SIGTERM');
    expect(((await once(child, 'exit')) as [number | null])[0]).toBe(0);
  });

  it('serves the Retrieve operation over a --knowledge-base folder', async () => {
    const docs = fileURLToPath(new URL('./fixtures/kb', import.meta.url));
    const { endpoint } = await launch(['--knowledge-base', `KB1=${docs}`]);
    const response = await fetch(`${endpoint}/knowledgebases/KB1/retrieve`, {
      method: 'POST',
      headers: { authorization: 'Bearer local', 'content-type': 'application/json' },
      body: JSON.stringify({ retrievalQuery: { text: 'promote a replica' } }),
    });
    const body = (await response.json()) as { retrievalResults: { location: { s3Location: { uri: string } } }[] };
    expect(body.retrievalResults[0]?.location.s3Location.uri).toBe('s3://bedrock-local-kb1/postgres.md');
  });

  it('serves an --agent definition to the bedrock-agent client and runs a --lambda handler module', async () => {
    const { endpoint } = await launch([
      '--agent',
      fileURLToPath(new URL('./fixtures/agents/ops-agent.json', import.meta.url)),
      '--lambda',
      `echo=${fileURLToPath(new URL('./fixtures/lambda/echo.mjs', import.meta.url))}`,
    ]);
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const agents = new BedrockAgentClient({ region: 'us-east-1', endpoint, credentials });
    const lambda = new LambdaClient({ region: 'us-east-1', endpoint, credentials: { ...credentials } });
    const { agent } = await agents.send(new GetAgentCommand({ agentId: 'OPSAGENT01' }));
    expect(agent?.agentName).toBe('ops-assistant');
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{"x":1}' }));
    expect(JSON.parse(new TextDecoder().decode(invoked.Payload))).toMatchObject({
      event: { x: 1 },
      requestId: invoked.$metadata.requestId,
    });
    agents.destroy();
    lambda.destroy();
  });

  it('exits with status 2 and says why on a bad flag or a broken script', async () => {
    for (const args of [
      ['--latency-ms', 'soon'],
      ['--script', '/nonexistent/script.json'],
      ['--bogus'],
      ['--knowledge-base', 'KB1'],
      ['--knowledge-base', 'KB1=/nonexistent/folder'],
      ['--agent', '/nonexistent/agent.json'],
      ['--lambda', 'echo'],
      ['--lambda', 'echo=/nonexistent/handler.mjs'],
    ]) {
      const child = spawn(process.execPath, [bin, ...args]);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(2);
      expect(stderr).toMatch(/novaloop-bedrock-local: .+\n\nUsage:/);
    }
  });
});
