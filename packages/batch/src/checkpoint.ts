import { appendFileSync, closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Usage } from '@novaloop/core';
import { BatchInputError } from './errors.js';
import type { RecordError } from './types.js';

/** One finished record as the checkpoint keeps it. */
export interface CheckpointEntry {
  id: string;
  ok: boolean;
  value?: unknown;
  error?: RecordError;
  usage: Usage;
  costUsd: number | undefined;
}

interface Header {
  novaloopBatchCheckpoint: 1;
  mode: 'online' | 'bedrock-batch';
  task: string;
}

/**
 * An append-only JSONL file: a header naming the mode and task, then one line per finished record
 * (online) or the job's ARN (bedrock-batch). Each line is written with one write(2) before the record
 * counts as done, so a process killed at any point loses at most the line being written, and a torn
 * last line is dropped when the file is read back.
 */
export class Checkpoint {
  readonly entries = new Map<string, CheckpointEntry>();
  jobArn: string | undefined;
  private fd: number | undefined;

  private constructor(readonly path: string) {}

  static open(path: string, mode: Header['mode'], task: string): Checkpoint {
    try {
      return Checkpoint.load(path, mode, task);
    } catch (error) {
      if (error instanceof BatchInputError) throw error;
      throw new BatchInputError(
        'BATCH_CONFIG',
        `batch(): cannot use the checkpoint ${path}: ${(error as Error).message}. Give a path in a writable folder.`,
        { cause: error },
      );
    }
  }

  private static load(path: string, mode: Header['mode'], task: string): Checkpoint {
    const checkpoint = new Checkpoint(path);
    const header: Header = { novaloopBatchCheckpoint: 1, mode, task };
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      const lines = text.split('\n');
      let good = 0;
      let first = true;
      for (const line of lines) {
        if (line === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          break; // A line torn by a kill: everything before it is whole.
        }
        if (first) {
          first = false;
          const found = value as Partial<Header>;
          if (found.novaloopBatchCheckpoint !== 1 || found.mode !== mode || found.task !== task) {
            throw new BatchInputError(
              'BATCH_CHECKPOINT_MISMATCH',
              `batch(): the checkpoint ${path} was written by another task, mode or (for a batch job) set of records (${found.mode ?? 'unknown'} mode). ` +
                'Use a new checkpoint path for a new task, or delete the file to start over.',
            );
          }
        } else if (mode === 'online') {
          const entry = value as CheckpointEntry;
          checkpoint.entries.set(entry.id, entry);
        } else {
          checkpoint.jobArn = (value as { jobArn?: string }).jobArn ?? checkpoint.jobArn;
        }
        good += Buffer.byteLength(line) + 1;
      }
      checkpoint.fd = openSync(path, 'r+');
      // Drop a torn tail so the next line starts on a line of its own.
      ftruncateSync(checkpoint.fd, good);
      closeSync(checkpoint.fd);
      checkpoint.fd = openSync(path, 'a');
      if (first) checkpoint.write(header);
    } else {
      checkpoint.fd = openSync(path, 'a');
      checkpoint.write(header);
    }
    return checkpoint;
  }

  add(entry: CheckpointEntry): void {
    this.entries.set(entry.id, entry);
    this.write(entry);
  }

  setJob(jobArn: string): void {
    this.jobArn = jobArn;
    this.write({ jobArn });
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(value: unknown): void {
    const line = `${JSON.stringify(value)}\n`;
    if (this.fd === undefined) appendFileSync(this.path, line);
    else writeSync(this.fd, line);
  }
}
