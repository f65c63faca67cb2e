import {
  BedrockAgentRuntimeClient,
  ResourceNotFoundException,
  RetrieveCommand,
  ValidationException,
  type RetrievalFilter,
  type RetrieveCommandInput,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LocalBedrockKnowledgeBaseError, startLocalBedrock, type LocalBedrock } from '../src/index.js';
import { useLocalBedrock } from './helpers.js';

const DOCS = fileURLToPath(new URL('./fixtures/kb', import.meta.url));
const start = useLocalBedrock();

/** The real SDK client, default settings (HTTP/2), pointed at bedrock-local. */
function agentClient(server: LocalBedrock) {
  return new BedrockAgentRuntimeClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' },
  });
}

async function retrieve(server: LocalBedrock, input: Partial<RetrieveCommandInput> & { text?: string }) {
  const { text, ...rest } = input;
  return agentClient(server).send(new RetrieveCommand({ knowledgeBaseId: 'KB1', retrievalQuery: { text: text ?? 'failover' }, ...rest }));
}

const uris = (results: { location?: { s3Location?: { uri?: string } } }[] | undefined) =>
  (results ?? []).map((r) => r.location?.s3Location?.uri);

describe('bedrock-local Retrieve', () => {
  it('answers the real SDK RetrieveCommand with ranked chunks, locations, metadata and scores', async () => {
    const server = await start({ knowledgeBases: { KB1: { dir: DOCS } } });
    const response = await retrieve(server, { text: 'how do I promote a replica during failover' });
    const first = response.retrievalResults?.[0];
    expect(first?.content).toEqual({ type: 'TEXT', text: expect.stringContaining('pg_ctl promote') });
    expect(first?.location).toEqual({ type: 'S3', s3Location: { uri: 's3://bedrock-local-kb1/postgres.md' } });
    expect(first?.score).toBe(1);
    expect(first?.metadata).toMatchObject({
      service: 'postgres',
      severity: 1,
      tags: ['database'],
      'x-amz-bedrock-kb-source-uri': 's3://bedrock-local-kb1/postgres.md',
      'x-amz-bedrock-kb-chunk-id': expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    });
    const scores = (response.retrievalResults ?? []).map((r) => r.score ?? 0);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(server.requests[0]).toMatchObject({ route: 'retrieve', modelId: 'KB1', status: 200, protocol: 'h2' });
    // Only documents: notes.csv is not indexed.
    expect(uris(response.retrievalResults).every((uri) => /\.(md|txt)$/.test(uri ?? ''))).toBe(true);
  });

  it('ranks deterministically: the same request gives the same answer, across servers', async () => {
    const a = await start({ knowledgeBases: { KB1: DOCS } });
    const b = await start({ knowledgeBases: { KB1: DOCS } });
    const query = { text: 'memory eviction on caches', retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 10 } } };
    const first = await retrieve(a, query);
    expect(await retrieve(a, query)).toEqual({ ...first, $metadata: expect.anything() });
    expect((await retrieve(b, query)).retrievalResults).toEqual(first.retrievalResults);
    expect(uris(first.retrievalResults)[0]).toBe('s3://bedrock-local-kb1/redis.md');
  });

  it('filters on sidecar metadata with equals, in, andAll, orAll and the other operators', async () => {
    const server = await start({ knowledgeBases: { KB1: DOCS } });
    const search = async (filter: RetrievalFilter) =>
      new Set(
        uris(
          (
            await retrieve(server, {
              text: 'failover memory eviction runbook',
              retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 50, filter } },
            })
          ).retrievalResults,
        ),
      );
    const REDIS = 's3://bedrock-local-kb1/redis.md';
    const PG = 's3://bedrock-local-kb1/postgres.md';
    const ONCALL = 's3://bedrock-local-kb1/guides/oncall.txt';
    expect(await search({ equals: { key: 'service', value: 'redis' } })).toEqual(new Set([REDIS]));
    expect(await search({ in: { key: 'service', value: ['redis', 'general'] } })).toEqual(new Set([REDIS, ONCALL]));
    expect(await search({ andAll: [{ equals: { key: 'reviewed', value: true } }, { lessThan: { key: 'severity', value: 2 } }] })).toEqual(
      new Set([PG]),
    );
    expect(
      await search({ orAll: [{ equals: { key: 'service', value: 'postgres' } }, { listContains: { key: 'tags', value: 'process' } }] }),
    ).toEqual(new Set([PG, ONCALL]));
    expect(await search({ notEquals: { key: 'service', value: 'redis' } })).toEqual(new Set([PG, ONCALL]));
    expect(await search({ greaterThanOrEquals: { key: 'severity', value: 2 } })).toEqual(new Set([REDIS, ONCALL]));
    expect(await search({ startsWith: { key: 'service', value: 'post' } })).toEqual(new Set([PG]));
    expect(await search({ equals: { key: 'service', value: 'nope' } })).toEqual(new Set());
  });

  it('pages with nextToken until every match is returned, without repeats', async () => {
    const server = await start({ knowledgeBases: { KB1: { dir: DOCS, chunkTokens: 30, overlapTokens: 0 } } });
    const all = await retrieve(server, {
      text: 'failover memory replica',
      retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 100 } },
    });
    const total = all.retrievalResults?.length ?? 0;
    expect(total).toBeGreaterThan(3);
    expect(all.nextToken).toBeUndefined();
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await retrieve(server, {
        text: 'failover memory replica',
        nextToken,
        retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 2 } },
      });
      expect(page.retrievalResults?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.retrievalResults ?? []).map((r) => String(r.metadata?.['x-amz-bedrock-kb-chunk-id'])));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    expect(seen).toEqual((all.retrievalResults ?? []).map((r) => String(r.metadata?.['x-amz-bedrock-kb-chunk-id'])));
  });

  it('answers bad requests with the service validation errors, through the SDK', async () => {
    const server = await start({ knowledgeBases: { KB1: DOCS } });
    const bad: Array<[Partial<RetrieveCommandInput> & { text?: string }, RegExp]> = [
      [{ text: '' }, /at 'retrievalQuery.text' failed to satisfy constraint: Member must have length greater than or equal to 1/],
      [
        { retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 0 } } },
        /Value '0' at 'retrievalConfiguration.vectorSearchConfiguration.numberOfResults' .*greater than or equal to 1/,
      ],
      [{ retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 101 } } }, /less than or equal to 100/],
      [
        { retrievalConfiguration: { vectorSearchConfiguration: { overrideSearchType: 'FUZZY' as 'HYBRID' } } },
        /enum value set: \[HYBRID, SEMANTIC\]/,
      ],
      [
        { retrievalConfiguration: { vectorSearchConfiguration: { filter: { andAll: [{ equals: { key: 'a', value: 1 } }] } } } },
        /at '.*filter.andAll' .*length greater than or equal to 2/,
      ],
      [
        {
          retrievalConfiguration: { vectorSearchConfiguration: { filter: { in: { key: 'service', value: 'redis' } } as RetrievalFilter } },
        },
        /in needs a list/,
      ],
      [
        { retrievalConfiguration: { vectorSearchConfiguration: { filter: { equals: { key: '', value: 'x' } } } } },
        /filter.equals.key' .*length between 1 and 100/,
      ],
      [{ nextToken: 'bm90LWEtdG9rZW4' }, /nextToken is invalid/],
    ];
    for (const [input, message] of bad) {
      const error = await retrieve(server, input).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(input)).toBeInstanceOf(ValidationException);
      expect((error as Error).message).toMatch(message);
    }
    const twoProblems = await retrieve(server, {
      text: '',
      retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 0 } },
    }).catch((e: Error) => e);
    expect((twoProblems as Error).message).toMatch(/^2 validation errors detected: /);
  });

  it('answers an unknown knowledge base with ResourceNotFoundException and a malformed id with ValidationException', async () => {
    const server = await start({ knowledgeBases: { KB1: DOCS } });
    await expect(retrieve(server, { knowledgeBaseId: 'NOPE' })).rejects.toBeInstanceOf(ResourceNotFoundException);
    const response = await fetch(`${server.endpoint}/knowledgebases/kb-1/retrieve`, {
      method: 'POST',
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body: JSON.stringify({ retrievalQuery: { text: 'x' } }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^ValidationException:/);
    expect(await response.json()).toEqual({
      message: expect.stringMatching(/Value 'kb-1' at 'knowledgeBaseId' failed to satisfy constraint/),
    });
  });

  it('refuses at startup a missing folder, an empty one, a bad id or a broken sidecar', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'novaloop-kb-'));
    try {
      await expect(startLocalBedrock({ knowledgeBases: { KB1: join(dir, 'missing') } })).rejects.toThrow(LocalBedrockKnowledgeBaseError);
      await expect(startLocalBedrock({ knowledgeBases: { KB1: dir } })).rejects.toThrow(/holds no .md/);
      writeFileSync(join(dir, 'a.md'), '# A\n\ntext');
      await expect(startLocalBedrock({ knowledgeBases: { 'kb-1': dir } })).rejects.toThrow(/1 to 10 letters and digits/);
      writeFileSync(join(dir, 'a.md.metadata.json'), '{"team": "x"}');
      await expect(startLocalBedrock({ knowledgeBases: { KB1: dir } })).rejects.toThrow(/needs a "metadataAttributes" object/);
      writeFileSync(join(dir, 'a.md.metadata.json'), '{"metadataAttributes": {"n": {"deep": 1}}}');
      await expect(startLocalBedrock({ knowledgeBases: { KB1: dir } })).rejects.toThrow(/attribute n must be/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
