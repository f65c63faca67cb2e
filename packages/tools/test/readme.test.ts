import { startPostgres, type PostgresServer } from '@novaloop/test-servers';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every ```ts snippet of the README, run as written in its own process (tsx, ESM), from a folder
// inside this package so that `@novaloop/tools` resolves as it does for a user.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(packageDir, '..', '..', 'node_modules', '.bin', 'tsx');
const snippets = [...readFileSync(join(packageDir, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const dir = join(packageDir, 'test', '.readme-snippets');
let postgres: PostgresServer;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await postgres?.stop();
});

function run(index: number, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(dir, `snippet-${index}.mts`);
  writeFileSync(file, snippets[index] as string);
  return new Promise((resolve) => {
    execFile(
      TSX,
      ['--conditions=@novaloop/source', file],
      {
        cwd: packageDir,
        env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
        timeout: 25_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('packages/tools README', () => {
  it('has one snippet per tool, plus PostgreSQL', () => {
    expect(snippets).toHaveLength(6);
  });

  it('knowledgeBaseRetrieve snippet: an agent run with the KNOWLEDGE_BASE trace parts', async () => {
    const { code, stdout, stderr } = await run(0);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain("{ text: 'disk full', knowledgeBaseId: 'KBRUNBOOKS' }");
    expect(stdout).toContain("'x-amz-bedrock-kb-source-uri': 's3://bedrock-local-kbrunbooks/disk-full.md'");
    expect(stdout).toContain('Delete old WAL archives, then grow the volume (disk-full.md).');
  });

  it('sqlQuery SQLite snippet: rows, then SQL_READ_ONLY', async () => {
    const { code, stdout } = await run(1);
    expect(code).toBe(0);
    expect(stdout).toContain('"rows":[["payments-api",2],["report-worker",1]],"rowCount":2,"truncated":false');
    expect(stdout).toContain("code: 'SQL_READ_ONLY'");
  });

  it('sqlQuery PostgreSQL snippet: a row, SQL_READ_ONLY, SQL_TIMEOUT', async () => {
    const { code, stdout } = await run(2, { DATABASE_URL: postgres.url });
    expect(code).toBe(0);
    expect(stdout).toContain("columns: [ 'current_user', 'at' ]");
    expect(stdout).toContain("code: 'SQL_READ_ONLY'");
    expect(stdout).toContain("code: 'SQL_TIMEOUT'");
  });

  it('httpRequest snippet: a loopback server reached when allowed, refusals otherwise', async () => {
    const { code, stdout } = await run(3);
    expect(code).toBe(0);
    expect(stdout).toContain(`body: '{"status":"ok"}'`);
    expect(stdout).toContain("code: 'HTTP_ADDRESS_BLOCKED'");
    expect(stdout).toContain("code: 'HTTP_HOST_NOT_ALLOWED'");
  });

  it('calculator snippet', async () => {
    const { code, stdout } = await run(4);
    expect(code).toBe(0);
    expect(stdout).toContain('result: 7');
    expect(stdout).toContain("code: 'CALC_DIVISION_BY_ZERO'");
    expect(stdout).toContain("code: 'CALC_SYNTAX'");
  });

  it('currentTime snippet', async () => {
    const { code, stdout } = await run(5);
    expect(code).toBe(0);
    expect(stdout).toContain("timeZone: 'Europe/Paris'");
    expect(stdout).toContain("timeZone: 'Asia/Tokyo'");
    expect(stdout).toContain('did you mean Europe/Paris?');
  });
});
