import { readFile, stat } from 'node:fs/promises';
import { TraceFileError } from './errors.js';
import type { TraceLine } from './trace-line.js';

/** A line that was skipped, and why. */
export interface SkippedLine {
  /** 1-based line number. */
  line: number;
  reason: 'torn' | 'invalid-json' | 'not-a-trace-part';
  /** The start of the line, for the message. */
  excerpt: string;
}

export interface TraceFile {
  lines: TraceLine[];
  /** Lines that could not be read. A `torn` one is the last line of a file whose writer was killed mid-write. */
  skipped: SkippedLine[];
}

/**
 * Reads a JSONL trace file. Unreadable lines are skipped and listed, never fatal: the last line of a
 * file whose writer died mid-write is `torn`; a torn line that a later writer appended after is
 * `invalid-json`.
 */
export async function readTraceFile(path: string): Promise<TraceFile> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TraceFileError(
      'TRACE_FILE_UNREADABLE',
      `Cannot read the trace file ${path} (${error instanceof Error ? error.message : String(error)}). Pass the path of a .jsonl file written by jsonlTraceSink().`,
      path,
      { cause: error },
    );
  }
  return parseTraceLines(text);
}

/** The same as `readTraceFile`, for text already in memory. */
export function parseTraceLines(text: string): TraceFile {
  const rows = text.split('\n');
  const endsClean = text.endsWith('\n');
  const lines: TraceLine[] = [];
  const skipped: SkippedLine[] = [];
  rows.forEach((row, index) => {
    if (row.trim() === '') return;
    const isLast = index === rows.length - 1 && !endsClean;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch {
      skipped.push({ line: index + 1, reason: isLast ? 'torn' : 'invalid-json', excerpt: row.slice(0, 80) });
      return;
    }
    if (!isTraceLine(value)) {
      skipped.push({ line: index + 1, reason: 'not-a-trace-part', excerpt: row.slice(0, 80) });
      return;
    }
    lines.push(value);
  });
  return { lines, skipped };
}

function isTraceLine(value: unknown): value is TraceLine {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const line = value as Record<string, unknown>;
  return typeof line.runId === 'string' && typeof line.trace === 'object' && line.trace !== null;
}
