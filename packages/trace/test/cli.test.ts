import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { useKit } from './helpers.js';

const line = (runId: string) =>
  JSON.stringify({
    runId,
    sessionId: 's',
    eventTime: '2026-01-01T00:00:00.000Z',
    trace: { orchestrationTrace: { rationale: { traceId: `${runId}-0`, text: 'thinking' } } },
  });

async function run(argv: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('novaloop trace view (command line)', () => {
  const { tempDir } = useKit();

  it('writes the page next to the trace file by default, resolving paths from the caller, ignoring a stray --', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'traces'));
    writeFileSync(join(dir, 'traces', 'run.jsonl'), line('r1') + '\n');
    const result = await run(['--', 'trace', 'view', 'traces/run.jsonl'], dir);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain(`Wrote ${join(dir, 'traces', 'run.html')} (1 run, 1 trace lines)`);
    expect(result.out).toContain(`file://${join(dir, 'traces', 'run.html')}`);
    expect(readFileSync(join(dir, 'traces', 'run.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('warns about a torn last line and still writes the page', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'run.jsonl'), line('r1') + '\n' + line('r2').slice(0, 30));
    const result = await run(['trace', 'view', 'run.jsonl', '-o', 'page.html'], dir);
    expect(result.code).toBe(0);
    expect(result.err).toBe('warning: line 2 is torn (its writer stopped mid-write) and was skipped');
    expect(existsSync(join(dir, 'page.html'))).toBe(true);
  });

  it('says what to do for a missing file, an empty file, a wrong command, a missing argument', async () => {
    const dir = tempDir();
    expect(await run(['trace', 'view', 'nope.jsonl'], dir)).toMatchObject({
      code: 1,
      err: expect.stringMatching(/Cannot read the trace file .*nope\.jsonl.*jsonlTraceSink/),
    });
    writeFileSync(join(dir, 'empty.jsonl'), '');
    expect(await run(['trace', 'view', 'empty.jsonl'], dir)).toMatchObject({
      code: 1,
      err: expect.stringContaining('holds no trace parts'),
    });
    expect(await run(['trace', 'show', 'x.jsonl'], dir)).toMatchObject({
      code: 2,
      err: expect.stringMatching(/Unknown command "trace show"[\s\S]*Usage:/),
    });
    expect(await run(['trace', 'view'], dir)).toMatchObject({ code: 2, err: expect.stringContaining('Which trace file?') });
    expect(await run(['trace', 'view', 'a.jsonl', '-o'], dir)).toMatchObject({
      code: 2,
      err: expect.stringContaining('-o needs a file name'),
    });
    expect(await run(['trace', 'view', 'a.jsonl', '-o', 'a.jsonl'], dir)).toMatchObject({
      code: 2,
      err: expect.stringContaining('would overwrite the trace file'),
    });
    expect(await run(['--help'], dir)).toMatchObject({ code: 0, out: expect.stringContaining('Usage: novaloop trace view') });
  });

  it('runs as the root `trace` script does (tsx on the sources), with its exit code', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'run.jsonl'), line('r1') + '\n');
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const ok = spawnSync(tsx, ['--conditions=@novaloop/source', cli, 'trace', 'view', join(dir, 'run.jsonl')], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('Wrote ');
    const bad = spawnSync(tsx, ['--conditions=@novaloop/source', cli, 'trace', 'view', join(dir, 'missing.jsonl')], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Cannot read the trace file');
  });
});
