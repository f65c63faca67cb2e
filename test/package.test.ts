// The packages as a user's app gets them: packed with `pnpm pack` (as `pnpm publish` would pack them),
// installed with plain npm into an app outside the workspace, then used from TypeScript (nodenext,
// strict), ESM, CommonJS and the bin. One npm install serves every check.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const appSources = join(root, 'test', 'package-app');
const PACKED = ['core', 'memory', 'bedrock-local', 'tools', 'trace', 'mcp', 'batch', 'bedrock-agents'];

let app: string;
const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', npm_config_yes: 'true' };
// An API key in the environment would be preferred over the credentials the programs pass.
delete env.AWS_BEARER_TOKEN_BEDROCK;

function run(command: string, args: string[], options: SpawnSyncOptions): string {
  const result = spawnSync(command, args, { encoding: 'utf8', env, timeout: 240_000, ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${String(result.stdout)}\n${String(result.stderr)}`);
  }
  return String(result.stdout);
}

/** pnpm as the test was started with (`pnpm test` sets npm_execpath), else the README's `npx pnpm@10`. */
function pnpm(args: string[], cwd: string): string {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return run(process.execPath, [execPath, ...args], { cwd });
  return run('npx', ['--yes', 'pnpm@10', ...args], { cwd });
}

beforeAll(() => {
  const tarballs = mkdtempSync(join(tmpdir(), 'novaloop-tarballs-'));
  for (const name of PACKED) pnpm(['pack', '--pack-destination', tarballs], join(root, 'packages', name));
  app = mkdtempSync(join(tmpdir(), 'novaloop-app-'));
  for (const file of readdirSync(appSources)) copyFileSync(join(appSources, file), join(app, file));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'novaloop-app', private: true, type: 'module' }));
  const packed = readdirSync(tarballs).map((file) => join(tarballs, file));
  expect(packed).toHaveLength(PACKED.length);
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...packed,
      'zod@^4.6.7',
      'typescript@~5.9.3',
      '@types/node@^20.19.0',
    ],
    { cwd: app },
  );
  rmSync(tarballs, { recursive: true, force: true });
}, 300_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

const expected = {
  text: 'The sum is 5.',
  stopReason: 'end_turn',
  toolResult: [{ json: { sum: 5 } }],
  missing: {
    sqlite: { code: 'STORE_DRIVER_MISSING', packages: ['@libsql/client'] },
    redis: { code: 'STORE_DRIVER_MISSING', packages: ['ioredis'] },
    dynamodb: { code: 'STORE_DRIVER_MISSING', packages: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'] },
  },
};

describe('the packages installed from tarballs into an app outside the workspace', () => {
  it('are outside the workspace, with no store driver installed (they are optional peers)', () => {
    expect(app.startsWith(root)).toBe(false);
    expect(readdirSync(join(app, 'node_modules', '@novaloop')).sort()).toEqual([
      'batch',
      'bedrock-agents',
      'bedrock-local',
      'core',
      'mcp',
      'memory',
      'tools',
      'trace',
    ]);
    expect(readdirSync(join(app, 'node_modules'))).not.toContain('ioredis');
    expect(readdirSync(join(app, 'node_modules'))).not.toContain('pg');
  });

  it('type-check in TypeScript with module nodenext and strict (ESM and CommonJS files)', () => {
    run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app });
  });

  it('run an agent with a tool against startLocalBedrock from ESM', () => {
    const out = run(process.execPath, ['agent.mjs'], { cwd: app }).trim().split('\n').at(-1);
    expect(JSON.parse(out ?? '')).toEqual(expected);
  });

  it('run the same program from CommonJS (require of ESM)', () => {
    const out = run(process.execPath, ['agent.cjs'], { cwd: app }).trim().split('\n').at(-1);
    expect(JSON.parse(out ?? '')).toEqual(expected);
  });

  it("load core's bundled entry points with one copy of each class, the lean transport and an app's own SDK client, from ESM and CommonJS", () => {
    for (const program of ['core-dist.mjs', 'core-dist.cjs']) {
      const out = run(process.execPath, [program], { cwd: app }).trim().split('\n').at(-1);
      expect(JSON.parse(out ?? '')).toEqual({
        sameClasses: true,
        lean: { converse: 'The sum is 5.', stream: 'The sum is 5.' },
        appClient: 'The sum is 5.',
        batchSupport: 'BILLING',
      });
    }
  });

  it('run @novaloop/tools and @novaloop/trace from ESM and CommonJS, and view the trace with the novaloop bin', () => {
    for (const program of ['extras.mjs', 'extras.cjs']) {
      const tracePath = join(app, `${program}.jsonl`);
      const out = run(process.execPath, [program, tracePath], { cwd: app }).trim().split('\n').at(-1);
      expect(JSON.parse(out ?? '')).toEqual({ text: 'It is 20.', traceLines: true, skipped: 0, divByZero: 'CALC_DIVISION_BY_ZERO' });
      const html = join(app, `${program}.html`);
      run(join(app, 'node_modules', '.bin', 'novaloop'), ['trace', 'view', tracePath, '-o', html], { cwd: app });
      expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/i);
    }
  });

  it('migrate a Bedrock agent with @novaloop/bedrock-agents and run it, from ESM and CommonJS', () => {
    for (const program of ['agents.mjs', 'agents.cjs']) {
      const out = run(process.execPath, [program], { cwd: app }).trim().split('\n').at(-1);
      expect(JSON.parse(out ?? '')).toEqual({ text: 'The sum is 5.', lambdaCalls: ['add'], tools: ['add'] });
    }
  });

  it('serve an agent over MCP and call it through mcpTools, from ESM (@novaloop/mcp)', () => {
    const out = run(process.execPath, ['mcp.mjs'], { cwd: app }).trim().split('\n').at(-1);
    expect(JSON.parse(out ?? '')).toEqual({ text: 'Billing says $42.', toolResult: [{ text: 'The total is $42.' }] });
  });

  it('run @novaloop/batch online from ESM and CommonJS', () => {
    for (const program of ['batch.mjs', 'batch.cjs']) {
      const out = run(process.execPath, [program], { cwd: app }).trim().split('\n').at(-1);
      expect(JSON.parse(out ?? '')).toEqual({ labels: ['BILLING', 'OTHER'], priced: true });
    }
  });

  it('provide the novaloop-bedrock-local bin, which prints its endpoint and serves', async () => {
    for (const args of [
      ['--port', '0'],
      ['--', '--port', '0'],
    ]) {
      const child = spawn(join(app, 'node_modules', '.bin', 'novaloop-bedrock-local'), args, { env });
      try {
        const [endpoint] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
        expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const reply = await fetch(`${endpoint}/model/x/converse`, { method: 'POST', body: '{}' });
        expect(reply.status).toBeGreaterThanOrEqual(400); // unsigned: answered, as Bedrock would, with an error
      } finally {
        child.kill('SIGTERM');
      }
      expect(((await once(child, 'exit')) as [number | null])[0]).toBe(0);
    }
  });
});
