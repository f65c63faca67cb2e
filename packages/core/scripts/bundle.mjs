// Writes core's JavaScript to dist/: one file per entry point of the `exports` map, the modules they
// share in chunks/ (so `.` and `./session-store` see the same classes and state), and the lean
// transport's signer, config loaders and codec in chunks of their own, still loaded on first use.
// tsc writes only the .d.ts files (tsconfig.build.json). Why: a fresh process spent ~55 ms loading
// @novaloop/core as ~60 small ES modules, each resolved, read, parsed and linked on its own (bench
// scenario 4); bundled it is a handful of files.
//
// Two builds of the same sources:
// - dist/ (the `import`, `require` and `default` conditions: Node). CommonJS packages (the AWS SDK,
//   @smithy/*, eventemitter3) are loaded with require(): importing CommonJS from an ES module makes
//   Node parse the whole file first for its export names (and, for a package.json without "type",
//   once more to tell ESM from CommonJS), which cost more than loading them. The modules are the same
//   ones `import` would give (these packages resolve to the same files, or an ESM wrapper of them,
//   under both conditions); ES-module packages (zod) are still imported.
// - dist/bundler/ (the `module` condition, which esbuild, webpack and Rollup resolve and Node does
//   not): plain imports throughout, which a bundler follows (it cannot see through that require()).
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dist = join(packageDir, 'dist');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const targets = Object.values(manifest.exports).filter((target) => typeof target === 'object' && target['@novaloop/source']);

const requireHere = createRequire(join(packageDir, 'package.json'));
const packageNameOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
function isCommonJsPackage(name) {
  let manifestPath;
  try {
    manifestPath = requireHere.resolve(`${name}/package.json`);
  } catch (error) {
    throw new Error(`bundle: cannot read ${name}'s package.json to tell ESM from CommonJS; is it a dependency of @novaloop/core?`, {
      cause: error,
    });
  }
  return JSON.parse(readFileSync(manifestPath, 'utf8')).type !== 'module';
}

/** Everything outside src/ stays external; with `requireCommonJs`, static imports of CommonJS packages become require() calls. */
const externals = (requireCommonJs) => ({
  name: 'externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (requireCommonJs && args.kind === 'import-statement' && !isBuiltin(args.path) && isCommonJsPackage(packageNameOf(args.path))) {
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
});

/** The files of one build, in memory; `condition` names the `exports` map's paths it serves. */
async function bundle(condition, requireCommonJs) {
  const outputs = targets.map((target) => target[condition]);
  const outdir = join(packageDir, dirname(outputs[0]));
  const { outputFiles, metafile } = await build({
    absWorkingDir: packageDir,
    entryPoints: targets.map((target) => ({
      in: target['@novaloop/source'],
      out: relative(outdir, join(packageDir, target[condition])).replace(/\.js$/, ''),
    })),
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: 'tsconfig.build.json',
    // No keepNames: it wraps every function esbuild emits in a __name() call that runs each time a
    // closure is made, on the loop's hot path too. Classes keep their names without it (checked below).
    keepNames: false,
    sourcemap: true,
    sourcesContent: false,
    // The require() the CommonJS packages are loaded with, resolved from the file it is in.
    ...(requireCommonJs
      ? {
          banner: {
            js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
          },
        }
      : {}),
    plugins: [externals(requireCommonJs)],
    logLevel: 'warning',
    metafile: true,
    write: false,
  });
  // esbuild's splitting puts each module in exactly one output file; a module in two would be two
  // copies of its classes and WeakMaps, so `instanceof` across entry points would fail. Checked anyway.
  const outputsOf = new Map();
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    for (const input of Object.keys(inputs)) outputsOf.set(input, [...(outputsOf.get(input) ?? []), output]);
  }
  const duplicated = [...outputsOf].filter(([, files]) => files.length > 1);
  if (duplicated.length > 0) throw new Error(`bundle: modules in more than one output file: ${JSON.stringify(duplicated)}`);
  // Errors name themselves with new.target.name, and a class emitted as `var X = class` takes its name
  // from the variable; esbuild renames one only when two modules declare the same name (X2). Fail then.
  const emitted = outputFiles.map((file) => file.text).join('\n');
  const renamed = sourceClasses().filter((name) => !new RegExp(`(?:var|let|const) ${name} = class\\b|\\bclass ${name}\\b`).test(emitted));
  if (renamed.length > 0) throw new Error(`bundle: classes renamed by the bundler (give them unique names): ${renamed.join(', ')}`);
  const missing = outputs.filter((output) => !outputFiles.some((file) => file.path === join(packageDir, output)));
  if (missing.length > 0) throw new Error(`bundle: no output for ${missing.join(', ')}`);
  return outputFiles;
}

/** The names of the classes declared in src/ (tests aside). */
function sourceClasses() {
  const names = new Set();
  for (const file of readdirSync(join(packageDir, 'src'), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    for (const [, name] of readFileSync(join(packageDir, 'src', file), 'utf8').matchAll(/^(?:export )?(?:abstract )?class (\w+)/gm))
      names.add(name);
  }
  return [...names];
}

const files = [...(await bundle('import', true)), ...(await bundle('module', false))];

// Only what changed is written and only what is gone is deleted (chunk names hash their content), so
// a build with nothing new leaves dist/ untouched while another process may be loading it.
const wanted = new Map(files.map((file) => [file.path, file.contents]));
mkdirSync(dist, { recursive: true });
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
  const path = join(dist, file);
  if (/\.js(\.map)?$/.test(file) && !wanted.has(path)) rmSync(path);
}
for (const [path, contents] of wanted) {
  let current;
  try {
    current = readFileSync(path);
  } catch {
    current = undefined;
  }
  if (current?.equals(contents)) continue;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, contents);
  renameSync(`${path}.tmp`, path);
}
