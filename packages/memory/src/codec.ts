import type { Message } from '@aws-sdk/client-bedrock-runtime';
import {
  SessionCorruptError,
  type PendingState,
  type SessionAttributes,
  type SessionState,
  type SessionSummary,
  type SessionUpdate,
} from '@novaloop/core';
import { isPendingState } from '@novaloop/core/session-store';

/**
 * Every store keeps a session as a log of steps: one entry per append, holding that append's
 * messages and, when the append changed them, the session's attributes and summary. The version is
 * the number of steps, so an append is "write entry `expectedVersion + 1` if it does not exist yet",
 * which each backend can do atomically, and nothing already stored is ever rewritten.
 */
export interface StoredStep {
  messages: Message[];
  attributes?: SessionAttributes;
  summary?: SessionSummary;
  /** Set when the append paused a run; `null` when it resumed (or abandoned) one. */
  pending?: PendingState | null;
}

/** Format version written into every entry, so a later layout can still read these. */
const FORMAT = 1;

interface StepJson {
  v: number;
  m: unknown[];
  a?: unknown;
  s?: unknown;
  p?: unknown;
}

/** One step as JSON text. Bytes (images, documents, redacted reasoning) are kept as base64. */
export function encodeStep(messages: readonly Message[], update: SessionUpdate | undefined): string {
  const step: StepJson = { v: FORMAT, m: messages.map((message) => encodeValue(message)) };
  if (update?.attributes) step.a = update.attributes;
  if (update?.summary) step.s = { messageCount: update.summary.messageCount, text: update.summary.text };
  if (update?.pending !== undefined) step.p = update.pending === null ? null : encodeValue(update.pending);
  return JSON.stringify(step);
}

/** Reads what `encodeStep` wrote; anything else is a `SessionCorruptError` naming the step. */
export function decodeStep(sessionId: string, version: number, text: unknown): StoredStep {
  const corrupt = (detail: string, cause?: unknown) =>
    new SessionCorruptError(sessionId, `step ${version} ${detail}`, cause === undefined ? undefined : { cause });
  if (typeof text !== 'string') throw corrupt(`is not text (found ${typeof text})`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw corrupt('is not JSON', error);
  }
  if (!isPlainObject(raw) || !Array.isArray(raw.m)) throw corrupt('has no message list');
  if (raw.v !== FORMAT) throw corrupt(`has format ${String(raw.v)}, and this version of @novaloop/memory reads format ${FORMAT}`);
  const messages = raw.m.map((value, i) => {
    const message = decodeValue(value);
    if (!isPlainObject(message) || (message.role !== 'user' && message.role !== 'assistant') || !Array.isArray(message.content)) {
      throw corrupt(`message ${i} is not a Bedrock message`);
    }
    return message as unknown as Message;
  });
  const step: StoredStep = { messages };
  if (raw.a !== undefined) {
    if (!isPlainObject(raw.a)) throw corrupt('has attributes that are not an object');
    step.attributes = raw.a as SessionAttributes;
  }
  if (raw.s !== undefined) {
    const s = raw.s;
    if (!isPlainObject(s) || typeof s.text !== 'string' || !Number.isSafeInteger(s.messageCount)) throw corrupt('has a malformed summary');
    step.summary = { messageCount: s.messageCount as number, text: s.text };
  }
  if (raw.p !== undefined) {
    const pending = raw.p === null ? null : decodeValue(raw.p);
    if (pending !== null && !isPendingState(pending)) throw corrupt('has a malformed pending invocation');
    step.pending = pending;
  }
  return step;
}

/**
 * Folds a session's steps, in version order, into what `load` returns. `versions` must run 1, 2, 3…;
 * a gap means entries were lost or written by something else.
 */
export function toSessionState(sessionId: string, steps: Iterable<{ version: number; step: StoredStep }>): SessionState | undefined {
  const messages: Message[] = [];
  let version = 0;
  let attributes: SessionAttributes | undefined;
  let summary: SessionSummary | undefined;
  let pending: PendingState | undefined;
  for (const entry of steps) {
    if (entry.version !== version + 1) {
      throw new SessionCorruptError(sessionId, `step ${version + 1} is missing (the next stored step is ${entry.version})`);
    }
    version = entry.version;
    for (const message of entry.step.messages) messages.push(message);
    if (entry.step.attributes) attributes = entry.step.attributes;
    if (entry.step.summary) summary = entry.step.summary;
    if (entry.step.pending !== undefined) pending = entry.step.pending ?? undefined;
  }
  if (version === 0) return undefined;
  const state: SessionState = { messages, version };
  if (attributes) state.attributes = attributes;
  if (summary) state.summary = summary;
  if (pending) state.pending = pending;
  return state;
}

// Tagged values: `{"$b64": "..."}` is bytes. A stored object that happens to have exactly that
// shape (or the escape's) is wrapped as `{"$obj": {...}}`, so model- or tool-written JSON can never
// be mistaken for bytes.
const BYTES = '$b64';
const ESCAPED = '$obj';

function encodeValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return { [BYTES]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(encodeValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = encodeValue(inner);
    return isTagShaped(out) ? { [ESCAPED]: out } : out;
  }
  return value;
}

function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (!isPlainObject(value)) return value;
  if (isTagShaped(value)) {
    const [key, inner] = Object.entries(value)[0] as [string, unknown];
    if (key === BYTES && typeof inner === 'string') return new Uint8Array(Buffer.from(inner, 'base64'));
    if (key === ESCAPED && isPlainObject(inner)) return decodeFields(inner);
  }
  return decodeFields(value);
}

function decodeFields(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = decodeValue(inner);
  return out;
}

function isTagShaped(value: Record<string, unknown>): boolean {
  let count = 0;
  for (const key in value) {
    if (++count > 1 || (key !== BYTES && key !== ESCAPED)) return false;
  }
  return count === 1;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
