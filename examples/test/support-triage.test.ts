import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DemoSetupError } from '../src/demo.js';
import { main, MESSAGES, MICRO, PRO } from '../src/support-triage.js';

const TRIAGE = fileURLToPath(new URL('../src/support-triage.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const emptyHome = mkdtempSync(join(tmpdir(), 'novaloop-triage-home-'));
afterAll(() => rmSync(emptyHome, { recursive: true, force: true }));

describe('support triage, offline on bedrock-local', () => {
  it('classifies 20 messages, answers each through the cascade, and totals the cost against Nova Pro alone', async () => {
    const printed: string[] = [];
    const lines = await main([], (line) => printed.push(line));
    expect(lines.map((line) => line.message)).toEqual([...MESSAGES]);
    expect(lines.map((line) => line.label)).toEqual([
      'BILLING', 'SHIPPING', 'TECHNICAL', 'RETURNS', 'OTHER', 'TECHNICAL', 'BILLING', 'SHIPPING', 'RETURNS', 'OTHER',
      'TECHNICAL', 'BILLING', 'TECHNICAL', 'TECHNICAL', 'SHIPPING', 'RETURNS', 'OTHER', 'BILLING', 'TECHNICAL', 'OTHER',
    ]); // prettier-ignore
    const simple = lines.filter((line) => line.route === 'simple');
    expect(simple).toHaveLength(14);
    expect(simple.every((line) => line.modelId === MICRO)).toBe(true);
    expect(lines.filter((line) => line.route === 'complex').every((line) => line.modelId === PRO)).toBe(true);
    // The cached support policy: every run after the first on a model reads it.
    expect(lines.filter((line) => line.usage.cacheReadInputTokens > 1_000)).toHaveLength(18);

    const total = lines.reduce((n, line) => n + line.costUsd, 0);
    const proOnly = lines.reduce((n, line) => n + line.proOnlyUsd, 0);
    expect(total).toBeGreaterThan(0);
    expect(proOnly / total).toBeGreaterThan(4);
    expect(printed.at(-2)).toBe('Routes: 14 of 20 messages answered on Nova Micro, 6 on Nova Pro.');
    expect(printed.at(-1)).toBe(
      `Total: $${total.toFixed(6)} (classification, routing and answers); everything on Nova Pro: $${proOnly.toFixed(6)} (${(proOnly / total).toFixed(1)}× as much).`,
    );
    const row = printed.find((line) => line.startsWith(' 1  '));
    expect(row).toMatch(
      new RegExp(
        `^ 1  BILLING +simple +us\\.amazon\\.nova-micro-v1:0 +\\d+/\\d+/0 +\\$${lines[0]?.costUsd.toFixed(7).replace('.', '\\.')}$`,
      ),
    );
  });

  it('refuses --bedrock without AWS credentials, and unknown arguments, before starting anything', async () => {
    const env = { HOME: emptyHome, PATH: process.env.PATH };
    await expect(main(['--bedrock'], () => undefined, env)).rejects.toThrow(DemoSetupError);
    await expect(main(['--fast'], () => undefined, env)).rejects.toThrow(/Unknown argument --fast/);
  });

  it('runs as a command (what `pnpm triage` starts)', async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(TSX, ['--conditions=@novaloop/source', TRIAGE], { timeout: 60_000 }, (error, out) => (error ? reject(error) : resolve(out))),
    );
    expect(stdout).toMatch(/^Backend: bedrock-local at http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toContain('Routes: 14 of 20 messages answered on Nova Micro, 6 on Nova Pro.');
  });
});
