import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApprovalSetupError, main, restartedServices } from '../src/approval.js';

const APPROVAL = fileURLToPath(new URL('../src/approval.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

describe('approval example', () => {
  it('asks before the restart; approved, the tool runs and the answer says so', async () => {
    const lines: string[] = [];
    const asked: string[] = [];
    const before = restartedServices().length;
    const result = await main(
      [],
      (line) => lines.push(line),
      async (call) => {
        asked.push(`${call.name} ${JSON.stringify(call.input)}`);
        return { approve: true };
      },
    );
    expect(asked).toEqual(['restart_service {"service":"payments-api"}']);
    expect(result.stopReason).toBe('end_turn');
    expect(restartedServices().slice(before)).toEqual(['payments-api']);
    expect(lines).toEqual([
      'User: payments-api looks unhealthy. Check it and restart it if it is degraded.',
      'Approved: restart_service {"service":"payments-api"}',
      'Agent: payments-api was degraded (2 of 4 tasks); I restarted it and all 4 tasks are running again.',
    ]);
  });

  it('--deny: nothing restarts, and the model reads the reason', async () => {
    const lines: string[] = [];
    const before = restartedServices().length;
    const result = await main(['--deny'], (line) => lines.push(line));
    expect(restartedServices().length).toBe(before);
    expect(result.text).toMatch(/^I did not restart payments-api\. The user denied this call of restart_service: denied with --deny\./);
    expect(lines[1]).toBe('Denied: restart_service {"service":"payments-api"} (denied with --deny)');
  });

  it('a bad flag is a setup error that says how to run it', async () => {
    await expect(main(['--yes'])).rejects.toBeInstanceOf(ApprovalSetupError);
    await expect(main(['--yes'])).rejects.toThrow(/Usage: pnpm approval/);
  });

  it('runs as a program: without a terminal and without a flag, nobody approves', async () => {
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve) => {
      const child = execFile(TSX, ['--conditions=@novaloop/source', APPROVAL], { env: { ...process.env } }, (error, stdout) =>
        resolve({ stdout, code: error ? ((error as { code?: number }).code ?? 1) : 0 }),
      );
      child.stdin?.end();
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/Denied: restart_service .*nobody was there to approve it/);
    expect(stdout).toMatch(/Agent: I did not restart payments-api/);
  });
});
