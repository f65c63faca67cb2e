// Every ```ts snippet of every README type-checks as its own module against the workspace packages,
// and the ones marked `<!-- snippet: run -->` (on the line before the fence) run, unchanged, against
// bedrock-local (AWS_ENDPOINT_URL_BEDROCK_RUNTIME) and dynalite (AWS_ENDPOINT_URL_DYNAMODB): the AWS
// SDK honours both variables, so a snippet written for real AWS runs offline as written. The same
// bedrock-local also stands in for the account of the "Leaving Bedrock Agents" snippets: the
// migrate-from-agents example's agent, Lambda functions and knowledge base, reached through
// AWS_ENDPOINT_URL_BEDROCK_AGENT, AWS_ENDPOINT_URL_LAMBDA and AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME.
import { startLocalBedrock, type LocalBedrock } from '@novaloop/bedrock-local';
import { startDynalite, type Dynalite } from '@novaloop/test-servers';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT } from '../examples/migrate-from-agents/migrate.js';

export const RUN_MARKER = '<!-- snippet: run -->';

export interface Snippet {
  /** `README.md:12`: where the fence opens. */
  where: string;
  code: string;
  runnable: boolean;
}

/** The ```ts (or ```typescript) blocks of a markdown text. */
export function extractSnippets(markdown: string, file: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? '')) continue;
    const end = lines.findIndex((line, j) => j > i && line.trim() === '```');
    if (end === -1) throw new Error(`${file}:${i + 1}: a \`\`\`ts fence that never closes`);
    let before = i - 1;
    while (before >= 0 && lines[before]?.trim() === '') before--;
    snippets.push({ where: `${file}:${i + 1}`, code: lines.slice(i + 1, end).join('\n'), runnable: lines[before]?.trim() === RUN_MARKER });
    i = end;
  }
  return snippets;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const readmes = [
  'README.md',
  ...readdirSync(join(root, 'packages')).map((name) => join('packages', name, 'README.md')),
  join('examples', 'README.md'),
  join('bench', 'README.md'),
].filter((file) => existsSync(join(root, file)));
const snippets = readmes.flatMap((file) => extractSnippets(readFileSync(join(root, file), 'utf8'), file));
const fileOf = (snippet: Snippet) => `${snippet.where.replace(/[^A-Za-z0-9]+/g, '_')}.ts`;

// Inside examples/, whose node_modules hold every workspace package and the SDK clients a snippet
// imports, the way an app's would.
let dir: string;
let typeErrors: string;
let bedrock: LocalBedrock;
let dynalite: Dynalite;

beforeAll(async () => {
  dir = mkdtempSync(join(root, 'examples', '.snippets-'));
  for (const snippet of snippets) writeFileSync(join(dir, fileOf(snippet)), `${snippet.code}\nexport {};\n`);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.base.json',
      compilerOptions: { noEmit: true, declaration: false, declarationMap: false },
      include: ['*.ts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], {
    encoding: 'utf8',
  });
  typeErrors = tsc.stdout + tsc.stderr;
  [bedrock, dynalite] = await Promise.all([startLocalBedrock(LOCAL_ACCOUNT), startDynalite()]);
}, 120_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await Promise.all([bedrock?.close(), dynalite?.stop()]);
});

describe('README snippets', () => {
  it('are found in every README, and some are marked runnable', () => {
    expect(readmes).toContain('README.md');
    expect(snippets.length).toBeGreaterThanOrEqual(8);
    expect(snippets.filter((snippet) => snippet.runnable).length).toBeGreaterThanOrEqual(6);
  });

  it.each(snippets.map((snippet) => [snippet.where, snippet] as const))('%s type-checks as its own module', (_where, snippet) => {
    const mine = typeErrors.split('\n').filter((line) => line.includes(fileOf(snippet)));
    expect(mine).toEqual([]);
  });

  const runnable = snippets.filter((snippet) => snippet.runnable);
  it.each(runnable.map((snippet) => [snippet.where, snippet] as const))(
    '%s runs against bedrock-local and dynalite',
    async (_where, snippet) => {
      const cwd = mkdtempSync(join(tmpdir(), 'novaloop-snippet-'));
      try {
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.endpoint,
          AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
          AWS_ENDPOINT_URL_BEDROCK_AGENT: bedrock.endpoint,
          AWS_ENDPOINT_URL_LAMBDA: bedrock.endpoint,
          AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: bedrock.endpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        };
        for (const name of ['AWS_BEARER_TOKEN_BEDROCK', 'AWS_PROFILE', 'AWS_SESSION_TOKEN']) delete env[name];
        // Not spawnSync: bedrock-local and dynalite answer from this process's event loop.
        const result = await promisify(execFile)(
          process.execPath,
          [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), '--conditions=@novaloop/source', join(dir, fileOf(snippet))],
          { cwd, env, encoding: 'utf8', timeout: 60_000 },
        ).catch((error: { code?: number; stdout?: string; stderr?: string }) => error);
        expect(result.stderr, `${relative(root, join(dir, fileOf(snippet)))} printed on stderr`).toBe('');
        expect('code' in result ? result.code : 0).toBe(0);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('the environment the snippets ran in', () => {
  it('sent their Bedrock calls to bedrock-local through AWS_ENDPOINT_URL_BEDROCK_RUNTIME alone', () => {
    // The Agent snippets set no endpoint: every one of their calls here came through the variable.
    expect(bedrock.requests.filter((request) => request.route !== 'unknown').length).toBeGreaterThanOrEqual(4);
  });
});

describe('extractSnippets', () => {
  it('finds ts fences, the run marker before them, and refuses an unclosed fence', () => {
    const markdown = ['# x', RUN_MARKER, '', '```ts', 'const a = 1;', '```', '```sh', 'ls', '```', '```typescript', 'let b;', '```'].join(
      '\n',
    );
    expect(extractSnippets(markdown, 'X.md')).toEqual([
      { where: 'X.md:4', code: 'const a = 1;', runnable: true },
      { where: 'X.md:10', code: 'let b;', runnable: false },
    ]);
    expect(() => extractSnippets('```ts\nconst a = 1;', 'Y.md')).toThrow(/Y.md:1: a ```ts fence that never closes/);
  });
});
