import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../src/index.js';
import { useKit } from './helpers.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
// Snippets are written here so that their imports resolve from this package, as an app's would.
const SNIPPETS = fileURLToPath(new URL('../test-output/', import.meta.url));

describe('README', () => {
  const { tempDir } = useKit();

  it('every TypeScript snippet runs as written, in order, in one folder', () => {
    const blocks = [...readFileSync(README, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(blocks.length).toBe(5);
    const cwd = tempDir();
    mkdirSync(SNIPPETS, { recursive: true });
    blocks.forEach((code, i) => {
      const file = join(SNIPPETS, `readme-snippet-${i + 1}.mts`);
      writeFileSync(file, code);
      const run = spawnSync(TSX, ['--conditions=@novaloop/source', file], {
        cwd,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      expect(run.status, `snippet ${i + 1}:\n${code}\n${run.stderr}`).toBe(0);
      if (i === 0) expect(run.stdout).toContain('tool call:   get_service_status({"service_name":"payments-api"})');
      if (i === 2) expect(run.stdout).toContain("password: '[REDACTED]'");
      if (i === 4) {
        expect(run.stdout).toContain('    billing ›   tool call:   get_invoice({"invoice_id":"INV-1042"})');
        expect(run.stdout).toContain('nested: billing us.amazon.nova-lite-v1:0 2 steps');
        expect(run.stdout).toMatch(/by model: us\.amazon\.nova-pro-v1:0 \$0\.\d+, us\.amazon\.nova-lite-v1:0 \$0\.\d+/);
        expect(run.stdout).toContain('same total: true');
      }
    });
    return readTraceFile(join(cwd, 'run.jsonl')).then(({ lines, skipped }) => {
      expect(skipped).toEqual([]);
      expect(lines.at(-1)?.novaloop?.event).toBe('run-end');
    });
  });
});
