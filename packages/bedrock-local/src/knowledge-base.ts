import MiniSearch from 'minisearch';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { chunkText } from './kb-chunk.js';
import { matchesFilter, type Metadata, type MetadataValue } from './kb-filter.js';

/** A knowledge base served from a folder of Markdown and text files. */
export interface KnowledgeBaseSource {
  /** The folder; `.md`, `.markdown` and `.txt` files in it and its subfolders are the documents. */
  dir: string;
  /**
   * Where results say they came from: `<s3Prefix><path inside dir>`, as an S3 data source would.
   * Default `s3://bedrock-local-<id lower-cased>/`.
   */
  s3Prefix?: string;
  /** Largest chunk in tokens (about 4 characters each); default 300, Bedrock's default. */
  chunkTokens?: number;
  /** Overlap between consecutive chunks of a section, in tokens; default 60 (20 %). */
  overlapTokens?: number;
}

export interface IndexedChunk {
  /** Index order: documents by path, chunks in document order. Breaks score ties deterministically. */
  seq: number;
  chunkId: string;
  text: string;
  uri: string;
  metadata: Metadata;
}

export interface RankedChunk {
  chunk: IndexedChunk;
  /** Relevance in (0, 1]: the BM25 score relative to the best match of this query. */
  score: number;
}

/** Thrown at startup for a knowledge base that cannot be served. */
export class LocalBedrockKnowledgeBaseError extends Error {
  readonly code = 'KNOWLEDGE_BASE_INVALID';
  constructor(message: string) {
    super(`bedrock-local knowledge base: ${message}`);
    this.name = 'LocalBedrockKnowledgeBaseError';
  }
}

const DOCUMENT = /\.(md|markdown|txt)$/i;
// Words too common to say anything about relevance; BM25 weighs them low, but they still add noise.
const STOP_WORDS = new Set(
  'a an and are as at be by for from has have how i if in into is it its of on or our so that the their then there these this to was we what when where which who why will with you your do does did can'.split(
    ' ',
  ),
);

/**
 * The documents of one knowledge base, chunked and indexed with MiniSearch (BM25+ ranking over
 * the chunk text and, boosted, its document title and headings). Built once at startup; every
 * query is answered from memory, in the same order every time.
 */
export class KnowledgeBase {
  readonly chunks: IndexedChunk[] = [];
  private readonly index: MiniSearch<{ id: number; title: string; text: string }>;

  constructor(
    readonly id: string,
    source: KnowledgeBaseSource,
  ) {
    if (!/^[0-9a-zA-Z]{1,10}$/.test(id)) {
      throw new LocalBedrockKnowledgeBaseError(
        `id ${JSON.stringify(id)} must be 1 to 10 letters and digits, as Bedrock's knowledge base ids are.`,
      );
    }
    const dir = resolve(source.dir);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new LocalBedrockKnowledgeBaseError(`${id}: ${dir} is not a folder. Point dir at a folder of .md or .txt files.`);
    }
    const prefix = source.s3Prefix ?? `s3://bedrock-local-${id.toLowerCase()}/`;
    const options = { maxTokens: source.chunkTokens ?? 300, overlapTokens: source.overlapTokens ?? 60 };
    const files = listDocuments(dir);
    if (files.length === 0) throw new LocalBedrockKnowledgeBaseError(`${id}: ${dir} holds no .md, .markdown or .txt files.`);

    this.index = new MiniSearch({
      fields: ['title', 'text'],
      searchOptions: { boost: { title: 2 } },
      processTerm: (term) => {
        const lower = term.toLowerCase();
        return STOP_WORDS.has(lower) ? null : lower;
      },
    });
    const documents: { id: number; title: string; text: string }[] = [];
    for (const file of files) {
      const path = relative(dir, file).split(sep).join('/');
      const text = readFileSync(file, 'utf8');
      const metadata = readMetadata(file, id);
      const uri = `${prefix}${path}`;
      const title = /^#\s+(.+)$/m.exec(text)?.[1]?.trim() ?? path;
      chunkText(text, options).forEach((chunk, index) => {
        const seq = this.chunks.length;
        const chunkId = uuidFrom(`${id}/${path}#${index}`);
        this.chunks.push({
          seq,
          chunkId,
          text: chunk.text,
          uri,
          metadata: {
            ...metadata,
            'x-amz-bedrock-kb-source-uri': uri,
            'x-amz-bedrock-kb-chunk-id': chunkId,
            'x-amz-bedrock-kb-data-source-id': 'LOCALFILES',
          },
        });
        documents.push({ id: seq, title: [title, ...chunk.headings].join(' '), text: chunk.text });
      });
    }
    this.index.addAll(documents);
  }

  /** Every chunk matching the query (and the filter), best first; ties in index order. */
  search(query: string, filter: Record<string, unknown> | undefined): RankedChunk[] {
    const hits = this.index.search(query, {
      filter:
        filter === undefined ? undefined : (result) => matchesFilter(filter, (this.chunks[result.id as number] as IndexedChunk).metadata),
    });
    const ranked = hits
      .map((hit) => ({ chunk: this.chunks[hit.id as number] as IndexedChunk, raw: hit.score }))
      .sort((a, b) => b.raw - a.raw || a.chunk.seq - b.chunk.seq);
    const best = ranked[0]?.raw ?? 1;
    return ranked.map(({ chunk, raw }) => ({ chunk, score: Math.round((raw / best) * 1e6) / 1e6 }));
  }
}

function listDocuments(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && DOCUMENT.test(entry.name)) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/** `<file>.metadata.json` holding `{"metadataAttributes": {...}}`, the sidecar format of S3 data sources. */
function readMetadata(file: string, id: string): Metadata {
  const sidecar = `${file}.metadata.json`;
  if (!existsSync(sidecar)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(sidecar, 'utf8'));
  } catch (error) {
    throw new LocalBedrockKnowledgeBaseError(`${id}: ${sidecar} is not valid JSON (${(error as Error).message}).`);
  }
  const attributes = (parsed as { metadataAttributes?: unknown } | null)?.metadataAttributes;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new LocalBedrockKnowledgeBaseError(
      `${id}: ${sidecar} needs a "metadataAttributes" object, e.g. {"metadataAttributes": {"team": "payments"}}.`,
    );
  }
  const metadata: Metadata = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!isMetadataValue(value)) {
      throw new LocalBedrockKnowledgeBaseError(`${id}: ${sidecar}: attribute ${key} must be a string, number, boolean or list of strings.`);
    }
    metadata[key] = value;
  }
  return metadata;
}

function isMetadataValue(value: unknown): value is MetadataValue {
  return (
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'boolean' ||
    (Array.isArray(value) && value.every((item) => typeof item === 'string'))
  );
}

/** A stable UUID-shaped id, so chunk ids look like the service's and never change between runs. */
function uuidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
