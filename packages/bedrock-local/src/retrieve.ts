import { createHash } from 'node:crypto';
import { BedrockServiceError, validationError } from './errors.js';
import { filterProblems } from './kb-filter.js';
import type { KnowledgeBase } from './knowledge-base.js';
import { isObject } from './wire-types.js';

const SEARCH_TYPES = ['HYBRID', 'SEMANTIC'];
const DEFAULT_RESULTS = 5;
const MAX_RESULTS = 100;

/**
 * Serves the bedrock-agent-runtime Retrieve operation (`POST /knowledgebases/{id}/retrieve`):
 * validates as the service does, ranks with the knowledge base's full-text index, pages with
 * `nextToken`. Both search types rank by BM25 here: there are no embeddings offline.
 */
export function serveRetrieve(bases: ReadonlyMap<string, KnowledgeBase>, knowledgeBaseId: string, body: unknown): unknown {
  if (!/^[0-9a-zA-Z]{0,10}$/.test(knowledgeBaseId)) {
    throw validationError(
      `1 validation error detected: Value '${knowledgeBaseId}' at 'knowledgeBaseId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-zA-Z]+`,
    );
  }
  const problems = requestProblems(body);
  if (problems.length > 0) {
    throw validationError(`${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
  }
  const base = bases.get(knowledgeBaseId);
  if (base === undefined) {
    throw new BedrockServiceError(404, 'ResourceNotFoundException', `Knowledge base with id ${knowledgeBaseId} does not exist`);
  }
  const request = body as Record<string, Record<string, unknown> | string | undefined>;
  const query = (request.retrievalQuery as { text: string }).text;
  const vector = ((request.retrievalConfiguration as Record<string, unknown> | undefined)?.vectorSearchConfiguration ?? {}) as Record<
    string,
    unknown
  >;
  const size = (vector.numberOfResults as number | undefined) ?? DEFAULT_RESULTS;
  const filter = vector.filter as Record<string, unknown> | undefined;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([knowledgeBaseId, query, filter ?? null, vector.overrideSearchType ?? null, size]))
    .digest('base64url')
    .slice(0, 16);
  const offset = request.nextToken === undefined ? 0 : readToken(request.nextToken as string, fingerprint);

  const ranked = base.search(query, filter);
  const page = ranked.slice(offset, offset + size);
  const response: Record<string, unknown> = {
    retrievalResults: page.map(({ chunk, score }) => ({
      content: { text: chunk.text, type: 'TEXT' },
      location: { type: 'S3', s3Location: { uri: chunk.uri } },
      metadata: chunk.metadata,
      score,
    })),
  };
  if (offset + size < ranked.length)
    response.nextToken = Buffer.from(JSON.stringify({ f: fingerprint, o: offset + size })).toString('base64url');
  return response;
}

function requestProblems(body: unknown): string[] {
  if (!isObject(body)) return ["Value null at 'retrievalQuery' failed to satisfy constraint: Member must not be null"];
  const problems: string[] = [];
  const query = body.retrievalQuery;
  if (query === undefined || query === null)
    problems.push("Value null at 'retrievalQuery' failed to satisfy constraint: Member must not be null");
  else if (!isObject(query) || typeof query.text !== 'string') {
    problems.push("Value null at 'retrievalQuery.text' failed to satisfy constraint: Member must not be null");
  } else if (query.text.trim() === '') {
    problems.push("Value '' at 'retrievalQuery.text' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  const config = body.retrievalConfiguration;
  if (config !== undefined && config !== null) {
    const vector = isObject(config) ? config.vectorSearchConfiguration : undefined;
    if (isObject(vector)) {
      const path = 'retrievalConfiguration.vectorSearchConfiguration';
      const n = vector.numberOfResults;
      if (n !== undefined && n !== null) {
        if (typeof n !== 'number' || !Number.isInteger(n)) {
          problems.push(`Value '${String(n)}' at '${path}.numberOfResults' failed to satisfy constraint: Member must be an integer`);
        } else if (n < 1) {
          problems.push(
            `Value '${n}' at '${path}.numberOfResults' failed to satisfy constraint: Member must have value greater than or equal to 1`,
          );
        } else if (n > MAX_RESULTS) {
          problems.push(
            `Value '${n}' at '${path}.numberOfResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_RESULTS}`,
          );
        }
      }
      const type = vector.overrideSearchType;
      if (type !== undefined && type !== null && !SEARCH_TYPES.includes(type as string)) {
        problems.push(
          `Value '${String(type)}' at '${path}.overrideSearchType' failed to satisfy constraint: Member must satisfy enum value set: [${SEARCH_TYPES.join(', ')}]`,
        );
      }
      if (vector.filter !== undefined && vector.filter !== null) problems.push(...filterProblems(vector.filter, `${path}.filter`));
    }
  }
  const token = body.nextToken;
  if (token !== undefined && token !== null) {
    if (typeof token !== 'string' || token.length < 1 || token.length > 2048) {
      problems.push("Value at 'nextToken' failed to satisfy constraint: Member must have length between 1 and 2048");
    } else if (/\s/.test(token)) {
      problems.push(`Value '${token}' at 'nextToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\S*$`);
    }
  }
  return problems;
}

function readToken(token: string, fingerprint: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const offset = (parsed as { o?: unknown } | undefined)?.o;
  if (!isObject(parsed) || parsed.f !== fingerprint || typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new BedrockServiceError(
      400,
      'ValidationException',
      'The nextToken is invalid for this request. Send the same query, filter and numberOfResults as the request that returned it.',
    );
  }
  return offset;
}
