import { writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TraceFileError } from './errors.js';
import { readTraceFile } from './read-trace-file.js';
import { renderTraceHtml } from './viewer/render-html.js';

export const USAGE = `Usage: novaloop trace view <run.jsonl> [-o trace.html] [--no-redact]

  Writes one self-contained HTML page (no network) showing every run in the trace file:
  a searchable run list and a waterfall of steps, model calls and tool calls, with a
  cascade's routing, collaborators' runs under the calls that started them, and pauses
  with the resumes that went on.

  -o, --out <file>   where to write the page (default: the trace file's path with .html)
  --no-redact        show values the built-in redaction would hide (passwords, keys, tokens)`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Relative paths are resolved from here. */
  cwd: string;
}

/** Runs `novaloop <argv>`; returns the exit code. */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const out = io.out ?? ((line: string) => console.log(line));
  const err = io.err ?? ((line: string) => console.error(line));
  // pnpm passes a `--` on when the command is run as `pnpm trace -- view ...`.
  const args = argv.filter((arg) => arg !== '--');
  const cwd = io.cwd ?? process.env.INIT_CWD ?? process.cwd();
  try {
    if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
      out(USAGE);
      return args.length === 0 ? 1 : 0;
    }
    const [group, command, ...rest] = args;
    if (group !== 'trace' || command !== 'view') throw usage(`Unknown command "${args.slice(0, 2).join(' ')}".`);
    let input: string | undefined;
    let output: string | undefined;
    let redact = true;
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i] ?? '';
      if (arg === '-o' || arg === '--out') {
        output = rest[++i];
        if (output === undefined) throw usage(`${arg} needs a file name.`);
      } else if (arg === '--no-redact') redact = false;
      else if (arg.startsWith('-')) throw usage(`Unknown option ${arg}.`);
      else if (input === undefined) input = arg;
      else throw usage(`Only one trace file at a time; got ${input} and ${arg}.`);
    }
    if (input === undefined) throw usage('Which trace file? Pass the path of a .jsonl file written by jsonlTraceSink().');
    const inputPath = resolve(cwd, input);
    const outputPath = resolve(cwd, output ?? inputPath.replace(/\.jsonl$/i, '') + '.html');
    if (outputPath === inputPath) throw usage(`The output would overwrite the trace file ${inputPath}; pass -o with another name.`);

    const file = await readTraceFile(inputPath);
    for (const skipped of file.skipped) {
      err(
        skipped.reason === 'torn'
          ? `warning: line ${skipped.line} is torn (its writer stopped mid-write) and was skipped`
          : `warning: line ${skipped.line} is not a trace part (${skipped.reason}) and was skipped: ${skipped.excerpt}`,
      );
    }
    if (file.lines.length === 0) {
      throw new TraceFileError(
        'TRACE_FILE_EMPTY',
        `${inputPath} holds no trace parts. Record a run into it with jsonlTraceSink() first.`,
        inputPath,
      );
    }
    const html = renderTraceHtml(file, { title: basename(inputPath), redact: redact ? {} : false });
    await writeFile(outputPath, html);
    // A collaborator's run is drawn inside its supervisor's: count it apart.
    const collaboratorIds = new Set(file.lines.filter((line) => typeof line.parentRunId === 'string').map((line) => line.runId));
    const runs = new Set(file.lines.map((line) => line.runId).filter((id) => !collaboratorIds.has(id))).size;
    const nested = collaboratorIds.size > 0 ? ` and ${collaboratorIds.size} collaborator run${collaboratorIds.size === 1 ? '' : 's'}` : '';
    out(`Wrote ${outputPath} (${runs} run${runs === 1 ? '' : 's'}${nested}, ${file.lines.length} trace lines). Open it in a browser:`);
    out(`  ${pathToFileURL(outputPath).href}`);
    return 0;
  } catch (error) {
    err(error instanceof TraceFileError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error));
    return error instanceof TraceFileError ? (error.code === 'TRACE_USAGE' ? 2 : 1) : 1;
  }
}

const usage = (message: string) => new TraceFileError('TRACE_USAGE', `${message}\n\n${USAGE}`);

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  process.exitCode = await main(process.argv.slice(2));
}
