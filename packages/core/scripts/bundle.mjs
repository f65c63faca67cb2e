// Writes core's JavaScript to dist/: one file per entry point of the `exports` map, the modules they
// share in dist/chunks/ (so `.` and `./session-store` see the same classes and state), and the lean
// transport's signer, config loaders and codec in chunks of their own, still loaded on first use.
// tsc writes only the .d.ts files (tsconfig.build.json). Why: a fresh process spent ~55 ms loading
// @novaloop/core as ~60 small ES modules, each resolved, read, parsed and linked on its own (bench
// scenario 4); bundled it is a handful of files.
//
// CommonJS packages (the AWS SDK, @smithy/*, eventemitter3) are loaded with require(): importing
// CommonJS from an ES module makes Node parse the whole file first for its export names (and, for a
// package.json without "type", once more to tell ESM from CommonJS), which cost more than loading
// them. The modules are the same ones `import` would give (these packages resolve to the same files,
// or an ESM wrapper of them, under both conditions); ES-module packages (zod) are still imported.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dist = join(packageDir, 'dist');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));

// Every entry point the `exports` map names: its TypeScript source and the dist/ file it serves.
const entryPoints = Object.values(manifest.exports)
  .filter((target) => typeof target === 'object' && target['@novaloop/source'])
  .map((target) => ({ in: target['@novaloop/source'], out: target.import.replace(/^\.\/dist\//, '').replace(/\.js$/, '') }));

const requireHere = createRequire(join(packageDir, 'package.json'));
const packageNameOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
function isCommonJsPackage(name) {
  const { type } = JSON.parse(readFileSync(requireHere.resolve(`${name}/package.json`), 'utf8'));
  return type !== 'module';
}

/** Static imports of CommonJS packages become require() calls; everything else outside src/ stays external. */
const requireCommonJs = {
  name: 'require-commonjs',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'import-statement' && !isBuiltin(args.path) && isCommonJsPackage(packageNameOf(args.path))) {
        return { path: args.path, namespace: 'require-commonjs' };
      }
      return { path: args.path, external: true };
    });
    build.onLoad({ filter: /.*/, namespace: 'require-commonjs' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
      resolveDir: packageDir,
    }));
  },
};

// Output from an earlier build (chunk names change with their content); tsc's .d.ts files stay.
mkdirSync(dist, { recursive: true });
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  if (/\.js(\.map)?$/.test(file)) rmSync(join(dist, file));
}
rmSync(join(dist, 'chunks'), { recursive: true, force: true });

const { metafile } = await build({
  absWorkingDir: packageDir,
  entryPoints,
  outdir: dist,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
  // Functions and classes keep their own names where bundling renames them (errors name themselves with new.target.name).
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  // The require() the CommonJS packages above are loaded with, resolved from the file it is in.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  plugins: [requireCommonJs],
  logLevel: 'warning',
  metafile: true,
});

// esbuild's splitting puts each module in exactly one output file; a module in two would be two
// copies of its classes and WeakMaps, so `instanceof` across entry points would fail. Checked anyway.
const outputsOf = new Map();
for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
  for (const input of Object.keys(inputs)) outputsOf.set(input, [...(outputsOf.get(input) ?? []), output]);
}
const duplicated = [...outputsOf].filter(([, outputs]) => outputs.length > 1);
if (duplicated.length > 0) throw new Error(`bundle: modules in more than one output file: ${JSON.stringify(duplicated)}`);
