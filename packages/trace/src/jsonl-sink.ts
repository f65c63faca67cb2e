import { AppendWriter } from './append-writer.js';
import { TraceFileError } from './errors.js';
import { listen, type Traceable } from './listen.js';
import { createRedactor, type RedactOptions } from './redact.js';
import { TraceLineBuilder } from './trace-line.js';

export interface JsonlTraceSinkOptions {
  /** What to hide before anything is written (default: the built-in keys and patterns); `false` writes everything. */
  redact?: RedactOptions | false;
  /** fsync after every step's write, so a machine crash (not only a killed process) keeps finished steps. Default false. */
  fsync?: boolean;
  /** Called once with the first write failure (the runs go on; `flush` and `close` reject with it too). */
  onError?: (error: TraceFileError) => void;
}

export interface TraceSink {
  /** Starts recording `agent`'s runs; returns the function that stops. One sink can record many agents. */
  attach(agent: Traceable): () => void;
  /** Resolves when every line heard so far is written. */
  flush(): Promise<void>;
  /** Detaches from every agent, writes what is left and closes the file. */
  close(): Promise<void>;
}

export interface JsonlTraceSink extends TraceSink {
  readonly path: string;
}

/**
 * Appends one trace part a line to `path` (created if missing). Lines are written per step (at each
 * step's end, and at a run's end or failure) in one append each; every sink on the same path in this
 * process shares one writer, so concurrent runs never interleave inside a line.
 */
export function jsonlTraceSink(path: string, options: JsonlTraceSinkOptions = {}): JsonlTraceSink {
  const writer = AppendWriter.acquire(path, { fsync: options.fsync ?? false });
  const redact = createRedactor(options.redact);
  const builder = new TraceLineBuilder();
  const detachers = new Set<() => void>();
  let closed = false;
  let reported = false;

  const flush = () => {
    const done = writer.flush();
    done.catch((error: unknown) => {
      if (!reported && error instanceof TraceFileError) {
        reported = true;
        options.onError?.(error);
      }
    });
    return done;
  };

  return {
    path: writer.path,
    attach(agent) {
      if (closed)
        throw new TraceFileError(
          'TRACE_SINK_CLOSED',
          `The trace sink for ${writer.path} is closed; create a new one to record more runs.`,
          writer.path,
        );
      const detach = listen(agent, (event) => {
        for (const line of builder.lines(event)) writer.add(JSON.stringify(redact(line)));
        if (event.type === 'step-end' || event.type === 'run-end' || event.type === 'error') void flush().catch(() => undefined);
      });
      detachers.add(detach);
      return () => {
        detachers.delete(detach);
        detach();
      };
    },
    flush,
    async close() {
      if (closed) return;
      closed = true;
      for (const detach of detachers) detach();
      detachers.clear();
      await writer.release();
    },
  };
}
