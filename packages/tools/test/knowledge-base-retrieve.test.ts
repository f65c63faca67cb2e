import { startLocalBedrock, type LocalBedrock } from '@novaloop/bedrock-local';
import { Agent, type InvocationInput, type Observation } from '@novaloop/core';
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeBaseRetrieve, ToolCallError, ToolConfigError } from '../src/index.js';
import { fitBudget } from '../src/knowledge-base-retrieve.js';
import { callError, callOk } from './call-tool.js';

// Loose view of JSON results in assertions.
interface Json {
  [key: string]: Json;
}

// The real Agents Runtime SDK client against bedrock-local's Retrieve, over documents written here.
const docs = mkdtempSync(join(tmpdir(), 'novaloop-kb-docs-'));
let server: LocalBedrock;
const credentials = () => ({ accessKeyId: 'local', secretAccessKey: 'local' });
const clientConfig = () => ({ region: 'us-east-1', endpoint: server.endpoint, credentials: credentials() });

beforeAll(async () => {
  writeFileSync(
    join(docs, 'disk-full.md'),
    '# Disk full on a database host\n\nWhen the data volume is above 90 percent, delete old WAL archives first, then grow the EBS volume.\n',
  );
  writeFileSync(join(docs, 'disk-full.md.metadata.json'), JSON.stringify({ metadataAttributes: { team: 'dba' } }));
  writeFileSync(
    join(docs, 'deploys.md'),
    '# Rolling back a deploy\n\nRun the rollback pipeline with the previous image tag. Disk usage is not affected.\n',
  );
  writeFileSync(join(docs, 'deploys.md.metadata.json'), JSON.stringify({ metadataAttributes: { team: 'platform' } }));
  writeFileSync(join(docs, 'long.md'), `# Capacity notes\n\n${'disk capacity planning notes '.repeat(200)}\n`);
  server = await startLocalBedrock({ knowledgeBases: { KBRUNBOOKS: docs } });
});
afterAll(async () => {
  await server.close();
  rmSync(docs, { recursive: true, force: true });
});

describe('knowledgeBaseRetrieve', () => {
  it('returns passages with text, source location, metadata and score', async () => {
    const kb = knowledgeBaseRetrieve({ knowledgeBaseId: 'KBRUNBOOKS', clientConfig: clientConfig(), numberOfResults: 2 });
    const result = await callOk(kb, { query: 'database disk is full' });
    const references = result.retrievedReferences as Json[];
    expect(references[0]).toMatchObject({
      content: { type: 'TEXT', text: expect.stringContaining('delete old WAL archives') },
      location: { type: 'S3', s3Location: { uri: 's3://bedrock-local-kbrunbooks/disk-full.md' } },
      metadata: { team: 'dba' },
      score: 1,
    });
    expect(references).toHaveLength(2);
    expect(typeof result.nextToken).toBe('string');
    const next = await callOk(kb, { query: 'database disk is full', nextToken: result.nextToken });
    const nextUris = (next.retrievedReferences as Json[]).map((r) => r.location?.s3Location?.uri);
    expect(nextUris).not.toContain('s3://bedrock-local-kbrunbooks/disk-full.md');
  });

  it('applies the configured metadata filter and search type', async () => {
    const kb = knowledgeBaseRetrieve({
      knowledgeBaseId: 'KBRUNBOOKS',
      clientConfig: clientConfig(),
      searchType: 'HYBRID',
      filter: { equals: { key: 'team', value: 'platform' } },
    });
    const result = await callOk(kb, { query: 'disk' });
    expect((result.retrievedReferences as Json[]).map((r) => r.location?.s3Location?.uri)).toEqual([
      's3://bedrock-local-kbrunbooks/deploys.md',
    ]);
    const body = server.requests.at(-1)?.body as Json;
    expect(body.retrievalConfiguration?.vectorSearchConfiguration).toEqual({
      numberOfResults: 5,
      overrideSearchType: 'HYBRID',
      filter: { equals: { key: 'team', value: 'platform' } },
    });
  });

  it('trims passages to the token budget and says so', async () => {
    const kb = knowledgeBaseRetrieve({ knowledgeBaseId: 'KBRUNBOOKS', clientConfig: clientConfig(), maxTokens: 100 });
    const result = await callOk(kb, { query: 'disk capacity planning' });
    const texts = (result.retrievedReferences as Array<{ content: { text: string } }>).map((r) => r.content.text);
    expect(texts.join('').length).toBeLessThanOrEqual(100 * 4);
    expect(result.truncated).toMatch(/to stay within 100 tokens/);
    expect(fitBudget([{ content: { text: 'x'.repeat(400) } }, { content: { text: 'y'.repeat(400) } }], undefined, 130)).toMatchObject({
      retrievedReferences: [{ content: { text: 'x'.repeat(400) } }],
      truncated: '1 left out to stay within 130 tokens; ask a narrower question for more detail.',
    });
  });

  it('turns the service errors into a typed error for the model: unknown knowledge base, bad filter, bad nextToken', async () => {
    const unknown = knowledgeBaseRetrieve({ knowledgeBaseId: 'KBMISSING', clientConfig: clientConfig() });
    const missing = await callError(unknown, { query: 'disk' });
    expect(missing).toBeInstanceOf(ToolCallError);
    expect(missing.code).toBe('KB_RETRIEVE_FAILED');
    expect(missing.message).toMatch(/ResourceNotFoundException: Knowledge base with id KBMISSING does not exist/);
    const badFilter = knowledgeBaseRetrieve({
      knowledgeBaseId: 'KBRUNBOOKS',
      clientConfig: clientConfig(),
      filter: { andAll: [{ equals: { key: 'team', value: 'dba' } }] },
    });
    expect((await callError(badFilter, { query: 'disk' })).message).toMatch(/ValidationException: .*andAll/);
    const kb = knowledgeBaseRetrieve({ knowledgeBaseId: 'KBRUNBOOKS', clientConfig: clientConfig() });
    expect((await callError(kb, { query: 'disk', nextToken: 'bm9wZQ' })).message).toMatch(
      /nextToken is invalid.*Search again without nextToken/,
    );
  });

  it('retries a failing connection with the SDK, then reports it as an error result', async () => {
    const dead = await startLocalBedrock();
    const endpoint = dead.endpoint;
    await dead.close();
    const client = new BedrockAgentRuntimeClient({ region: 'us-east-1', endpoint, credentials: credentials(), maxAttempts: 2 });
    const kb = knowledgeBaseRetrieve({ knowledgeBaseId: 'KBRUNBOOKS', client });
    const error = await callError(kb, { query: 'disk' });
    expect(error.code).toBe('KB_RETRIEVE_FAILED');
    expect((error.cause as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(2);
  });

  it('rejects bad options when the tool is created', () => {
    expect(() => knowledgeBaseRetrieve({ knowledgeBaseId: 'kb-1' })).toThrow(ToolConfigError);
    expect(() => knowledgeBaseRetrieve({ knowledgeBaseId: 'KB1', numberOfResults: 0 })).toThrow(/1 to 100/);
    expect(() => knowledgeBaseRetrieve({ knowledgeBaseId: 'KB1', searchType: 'FUZZY' as 'HYBRID' })).toThrow(/HYBRID or SEMANTIC/);
    expect(() => knowledgeBaseRetrieve({ knowledgeBaseId: 'KB1', maxTokens: 5 })).toThrow(/at least 40/);
  });
});

describe('knowledgeBaseRetrieve in an Agent run', () => {
  it('traces the lookup as knowledgeBaseLookupInput / knowledgeBaseLookupOutput, and a failed one as an action group', async () => {
    const bedrock = await startLocalBedrock({
      knowledgeBases: { KBRUNBOOKS: docs },
      script: {
        scenarios: [
          {
            match: 'disk',
            turns: [
              { content: [{ toolUse: { toolUseId: 'auto', name: 'knowledge_base_retrieve', input: { query: 'database disk full' } } }] },
              {
                content: [{ toolUse: { toolUseId: 'auto', name: 'knowledge_base_retrieve', input: { query: 'disk', nextToken: 'bad' } } }],
              },
              { content: [{ text: 'Delete old WAL archives, then grow the EBS volume (source: disk-full.md).' }] },
            ],
          },
        ],
      },
    });
    const kb = knowledgeBaseRetrieve({
      knowledgeBaseId: 'KBRUNBOOKS',
      clientConfig: { region: 'us-east-1', endpoint: bedrock.endpoint, credentials: credentials() },
    });
    const agent = new Agent({
      model: 'us.amazon.nova-pro-v1:0',
      tools: [kb],
      clientConfig: { region: 'us-east-1', endpoint: bedrock.endpoint, credentials: credentials() },
    });
    try {
      const result = await agent.run('The database disk is full, what do I do?');
      expect(result.text).toContain('WAL archives');
      const parts = result.trace.flatMap((part) => ('orchestrationTrace' in part.trace ? [part.trace.orchestrationTrace] : []));
      const inputs = parts.flatMap((p) => ('invocationInput' in p ? [p.invocationInput] : [])) as InvocationInput[];
      const observations = parts.flatMap((p) => ('observation' in p ? [p.observation] : [])) as Observation[];

      expect(inputs[0]).toEqual({
        traceId: `${result.runId}-0`,
        invocationType: 'KNOWLEDGE_BASE',
        knowledgeBaseLookupInput: { text: 'database disk full', knowledgeBaseId: 'KBRUNBOOKS' },
        // novaloop's own fields beside Agents' ones: which tool call this lookup was.
        function: 'knowledge_base_retrieve',
        invocationId: result.steps[0]?.toolCalls[0]?.toolUseId,
      });
      expect(observations[0]?.type).toBe('KNOWLEDGE_BASE');
      const first = observations[0];
      const references = (first?.type === 'KNOWLEDGE_BASE' ? first.knowledgeBaseLookupOutput.retrievedReferences : []) as Json[];
      expect(references[0]).toMatchObject({ location: { s3Location: { uri: 's3://bedrock-local-kbrunbooks/disk-full.md' } } });
      expect(references).toEqual(JSON.parse(JSON.stringify(result.steps[0]?.toolCalls[0]?.content[0]?.json)).retrievedReferences);

      // The failed lookup (bad nextToken) is an error result: traced as an action group observation.
      expect(inputs[1]?.invocationType).toBe('KNOWLEDGE_BASE');
      expect(observations[1]).toMatchObject({
        type: 'ACTION_GROUP',
        actionGroupInvocationOutput: {
          function: 'knowledge_base_retrieve',
          status: 'error',
          text: expect.stringMatching(/nextToken is invalid/),
        },
      });
      expect(result.steps[1]?.toolCalls[0]?.status).toBe('error');
    } finally {
      agent.close();
      await bedrock.close();
    }
  });
});
