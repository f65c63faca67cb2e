// An app bundled with esbuild, as a Lambda deployment bundles one (CommonJS output, every package
// inlined): it gets core's `module` build (dist/bundler/), whose plain imports esbuild follows, and
// runs from a folder with no node_modules anywhere above it. (Node itself gets dist/, which loads
// CommonJS packages with a require() that a bundler cannot see through; see scripts/bundle.mjs.)
import { startLocalBedrock } from '@novaloop/bedrock-local';
import { build } from 'esbuild';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const core = join(root, 'packages', 'core');
let dir: string;

beforeAll(() => {
  // The bundled dist/ is what is under test; the script leaves it untouched when it is current.
  execFileSync(process.execPath, [join(core, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'novaloop-bundled-app-'));
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('an app bundled with esbuild', () => {
  it('inlines core from its module build and runs agents on both transports with no node_modules beside it', async () => {
    const outfile = join(dir, 'app.cjs');
    const { metafile } = await build({
      // From core's folder, where @novaloop/core is the package itself and zod and the SDK are installed.
      stdin: { contents: readFileSync(join(root, 'test', 'bundled-app', 'app.mjs'), 'utf8'), resolveDir: core, loader: 'js' },
      absWorkingDir: core,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      metafile: true,
      logLevel: 'error',
    });
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((input) => input.startsWith('dist/')).length).toBeGreaterThan(0);
    expect(inputs.filter((input) => input.startsWith('dist/') && !input.startsWith('dist/bundler/'))).toEqual([]);
    expect(inputs.some((input) => input.includes('@aws-sdk/client-bedrock-runtime/'))).toBe(true);
    expect(inputs.some((input) => input.includes('@smithy/signature-v4/'))).toBe(true);
    for (let folder = dir; folder !== parse(folder).root; folder = dirname(folder)) {
      expect(existsSync(join(folder, 'node_modules'))).toBe(false);
    }

    const bedrock = await startLocalBedrock({
      script: {
        turns: [
          { content: [{ toolUse: { toolUseId: 'auto', name: 'add', input: { a: 2, b: 3 } } }] },
          { content: [{ text: 'The sum is 5.' }] },
        ],
      },
    });
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [outfile, bedrock.endpoint], {
        cwd: dir,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_BEARER_TOKEN_BEDROCK: '' },
      });
      expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({
        texts: {
          'sdk converse': 'The sum is 5.',
          'sdk stream': 'The sum is 5.',
          'lean converse': 'The sum is 5.',
          'lean stream': 'The sum is 5.',
        },
        conflict: { name: 'SessionConflictError', code: 'SESSION_CONFLICT' },
      });
    } finally {
      await bedrock.close();
    }
  });
});
