import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main, QUESTION } from '../multi-agent/main.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('multi-agent example, offline', () => {
  it('prints the nested trace, the answer and the cost per agent', async () => {
    const lines: string[] = [];
    const result = await main((line) => lines.push(line));

    expect(lines[0]).toBe(`User: ${QUESTION}`);
    expect(result.stopReason).toBe('end_turn');
    expect(result.text).toMatch(/INV-1042 is \$1,284\.50/);
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    // The supervisor's call, the collaborator's own steps indented under it, then its answer.
    expect(at(/^supervisor +asks billing: /)).toBeGreaterThan(0);
    expect(at(/^ {4}billing +calls get_invoice \{"invoice_id":"INV-1042"\}/)).toBeGreaterThan(at(/^supervisor +asks billing/));
    expect(at(/^ {4}infrastructure +calls get_service_status \{"service":"payments-api"\}/)).toBeGreaterThan(0);
    expect(at(/^ {4}infrastructure +get_service_status returned: \{"service":"payments-api","status":"degraded"/)).toBeGreaterThan(0);
    expect(at(/^supervisor +billing answered: INV-1042 totals/)).toBeGreaterThan(at(/^ {4}billing +answers: /));
    expect(at(/^supervisor +answers: /)).toBeGreaterThan(at(/^supervisor +infrastructure answered: /));

    expect(Object.keys(result.usageByModel).sort()).toEqual([
      'us.amazon.nova-lite-v1:0',
      'us.amazon.nova-micro-v1:0',
      'us.amazon.nova-pro-v1:0',
    ]);
    const perAgent = Object.values(result.usageByModel).reduce((sum, model) => sum + (model.costUsd ?? 0), 0);
    expect(result.costUsd).toBeCloseTo(perAgent, 15);
    for (const agent of ['supervisor', 'billing', 'infrastructure'])
      expect(lines.some((line) => new RegExp(`^${agent} +us\\.amazon\\.nova-`).test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/^total +\d+ in \/ \d+ out +\$0\.000\d+$/);
  });

  it('runs as one command from the repository root', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', '--conditions=@novaloop/source', 'examples/multi-agent/main.ts'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        timeout: 60_000,
      },
    );
    expect(stdout).toMatch(/^Answer: Invoice INV-1042/m);
    expect(stdout).toMatch(/^infrastructure +us\.amazon\.nova-micro-v1:0/m);
  }, 60_000);
});
