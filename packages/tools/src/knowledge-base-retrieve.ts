import {
  BedrockAgentRuntimeClient,
  RetrieveCommand,
  type BedrockAgentRuntimeClientConfig,
  type KnowledgeBaseRetrievalResult,
  type RetrievalFilter,
  type RetrievalResultLocation,
  type SearchType,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { tool, type Tool } from '@novaloop/core';
import { z } from 'zod/v4';
import { ToolCallError, ToolConfigError } from './errors.js';

export interface KnowledgeBaseRetrieveOptions {
  /** The knowledge base id (10 letters and digits, e.g. `KB12345678`). */
  knowledgeBaseId: string;
  /** Passages per call (the Retrieve API's `numberOfResults`, 1 to 100); default 5. */
  numberOfResults?: number;
  /** `HYBRID` or `SEMANTIC`; default: the knowledge base decides. */
  searchType?: SearchType;
  /** A Retrieve metadata filter applied to every call, e.g. `{ equals: { key: 'team', value: 'payments' } }`. */
  filter?: RetrievalFilter;
  /** Passage text the model gets per call, in tokens (about 4 characters each); default 2,000. */
  maxTokens?: number;
  /** Your own client (its region, credentials, retries); otherwise one is made from `clientConfig`. */
  client?: Pick<BedrockAgentRuntimeClient, 'send'>;
  clientConfig?: BedrockAgentRuntimeClientConfig;
  /** Tool name; default `knowledge_base_retrieve`. */
  name?: string;
  /** Say what the knowledge base holds: the model decides when to search from this. */
  description?: string;
}

/** One passage as the Retrieve API returns it (its RetrievedReference shape). */
export interface RetrievedReference {
  content: { text: string; type: 'TEXT' };
  location: RetrievalResultLocation | undefined;
  metadata: Record<string, unknown> | undefined;
  score?: number;
}

export interface KnowledgeBaseRetrieveResult {
  retrievedReferences: RetrievedReference[];
  /** Pass back as `nextToken` for the next passages. */
  nextToken?: string;
  /** Set when passages were cut or left out to stay within the token budget. */
  truncated?: string;
}

const TOKEN_CHARS = 4;
// A passage cut shorter than this is noise; it is left out instead.
const MIN_PASSAGE_TOKENS = 40;

/**
 * Searches a Bedrock knowledge base with the Retrieve API and returns passages with their source
 * location and score, trimmed to a token budget. Traced like a Bedrock Agents knowledge-base
 * lookup (`knowledgeBaseLookupInput` / `knowledgeBaseLookupOutput`).
 */
export function knowledgeBaseRetrieve(options: KnowledgeBaseRetrieveOptions): Tool {
  if (typeof options !== 'object' || options === null)
    throw new ToolConfigError('knowledgeBaseRetrieve(options) needs { knowledgeBaseId }.');
  const { knowledgeBaseId, searchType, filter } = options;
  if (typeof knowledgeBaseId !== 'string' || !/^[0-9a-zA-Z]{1,10}$/.test(knowledgeBaseId)) {
    throw new ToolConfigError(
      `knowledgeBaseRetrieve: knowledgeBaseId ${JSON.stringify(knowledgeBaseId)} is not a knowledge base id (1 to 10 letters and digits). Copy it from the Bedrock console.`,
    );
  }
  const numberOfResults = options.numberOfResults ?? 5;
  if (!Number.isInteger(numberOfResults) || numberOfResults < 1 || numberOfResults > 100) {
    throw new ToolConfigError(
      `knowledgeBaseRetrieve: numberOfResults must be a whole number from 1 to 100, got ${String(numberOfResults)}.`,
    );
  }
  if (searchType !== undefined && searchType !== 'HYBRID' && searchType !== 'SEMANTIC') {
    throw new ToolConfigError(`knowledgeBaseRetrieve: searchType must be HYBRID or SEMANTIC, got ${JSON.stringify(searchType)}.`);
  }
  const maxTokens = options.maxTokens ?? 2_000;
  if (!Number.isInteger(maxTokens) || maxTokens < MIN_PASSAGE_TOKENS) {
    throw new ToolConfigError(
      `knowledgeBaseRetrieve: maxTokens must be a whole number of at least ${MIN_PASSAGE_TOKENS}, got ${String(maxTokens)}.`,
    );
  }
  const client = options.client ?? new BedrockAgentRuntimeClient(options.clientConfig ?? {});

  return tool({
    name: options.name ?? 'knowledge_base_retrieve',
    description:
      options.description ??
      'Search the knowledge base for passages relevant to a question. Returns passages with their source and relevance score; cite the sources you use.',
    input: z.object({
      query: z.string().min(1).max(1000).describe('What to look for, as a question or keywords'),
      nextToken: z.string().optional().describe('The nextToken of a previous result, to get the next passages for the same query'),
    }),
    traceAs: { type: 'KNOWLEDGE_BASE', knowledgeBaseId },
    run: async ({ query, nextToken }, ctx): Promise<KnowledgeBaseRetrieveResult> => {
      let response;
      try {
        response = await client.send(
          new RetrieveCommand({
            knowledgeBaseId,
            retrievalQuery: { text: query },
            retrievalConfiguration: {
              vectorSearchConfiguration: {
                numberOfResults,
                ...(searchType !== undefined && { overrideSearchType: searchType }),
                ...(filter !== undefined && { filter }),
              },
            },
            ...(nextToken !== undefined && { nextToken }),
          }),
          { abortSignal: ctx.signal },
        );
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const name = (error as { name?: string }).name ?? 'Error';
        const message = error instanceof Error ? error.message : String(error);
        throw new ToolCallError(
          'KB_RETRIEVE_FAILED',
          `Knowledge base ${knowledgeBaseId} could not be searched (${name}: ${message}). ` +
            (nextToken !== undefined
              ? 'Search again without nextToken, or answer without it.'
              : 'Try a different query, or answer without it.'),
          { cause: error },
        );
      }
      return fitBudget(response.retrievalResults ?? [], response.nextToken, maxTokens);
    },
  });
}

/** Keeps passages in rank order while they fit `maxTokens`; cuts the first one that does not, if enough room is left. */
export function fitBudget(
  results: readonly KnowledgeBaseRetrievalResult[],
  nextToken: string | undefined,
  maxTokens: number,
): KnowledgeBaseRetrieveResult {
  const references: RetrievedReference[] = [];
  let left = maxTokens;
  let cut = 0;
  let dropped = 0;
  for (const result of results) {
    const text = result.content?.text ?? '';
    const tokens = Math.ceil(text.length / TOKEN_CHARS);
    let kept = text;
    if (tokens > left) {
      if (left < MIN_PASSAGE_TOKENS) {
        dropped++;
        continue;
      }
      kept = `${text.slice(0, left * TOKEN_CHARS - 1)}…`;
      cut++;
    }
    left -= Math.ceil(kept.length / TOKEN_CHARS);
    const reference: RetrievedReference = {
      content: { text: kept, type: 'TEXT' },
      location: result.location,
      metadata: result.metadata as Record<string, unknown> | undefined,
    };
    if (result.score !== undefined) reference.score = result.score;
    references.push(reference);
  }
  const out: KnowledgeBaseRetrieveResult = { retrievedReferences: references };
  if (nextToken !== undefined) out.nextToken = nextToken;
  if (cut + dropped > 0) {
    out.truncated =
      `${cut > 0 ? `${cut} passage${cut === 1 ? ' was' : 's were'} cut` : ''}${cut > 0 && dropped > 0 ? ' and ' : ''}` +
      `${dropped > 0 ? `${dropped} left out` : ''} to stay within ${maxTokens} tokens; ask a narrower question for more detail.`;
  }
  return out;
}
