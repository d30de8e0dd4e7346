// Bundles the CLI (and everything it imports) into dist/ with esbuild, so the
// `provisio` command does not pay tsx's on-the-fly compilation on every run (D1).
// Runs on `npm ci` / `npm install` (prepare). bin/provisio.js falls back to the
// TypeScript sources when dist/ is older than any source file, so a stale bundle
// is never used.
//
// CommonJS files (dist/package.json says commonjs): dist/main.js with every command, and
// dist/commands/<name>.js with one each, which bin/provisio.js compiles through `vm.Script` with
// V8's code cache (D42): Node 20 has no compile cache for modules, and reading and compiling the
// bundle's JavaScript was most of a management command's start.
// Each command's code still loads on demand: esbuild wraps what `import()` reaches in a lazy
// initialiser, so `device list` runs the store's code and not the server's. This script also
// writes a first code cache per command (dist/cache/, from loading the command), so an
// installation whose dist/ its users cannot write still starts from a cache.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build, context } from "esbuild";
import { directIndexImports } from "./esbuild_barrels.mjs";
import { LAZY_REQUIRE, lazyRequires } from "./lazy_builtins.mjs";

// Bundled rather than loaded from node_modules: pure-JS packages made of many small files,
// whose module loading would dominate a management command's start (D1, D42). better-sqlite3's
// JavaScript is bundled too; its compiled addon is named by path (store/sqlite/dialect.ts), so
// the `bindings` package that would search for it stays outside, unused.
const BUNDLED = new Set(["commander", "kysely", "better-sqlite3"]);
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const external = [
  ...Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
  "bindings",
];

// Provisio's own files have no import-time side effects, and the bundler is told so: a
// re-export from a module's index.ts then costs nothing unless it is used, and a command's
// chunk loads only the files — and the external packages — it calls (`device list` loads
// the store, not LiquidJS, pino or the x509 stack).
const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const sideEffectFreeSources = {
  name: "side-effect-free-sources",
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === "entry-point" || !`${args.resolveDir}${sep}`.startsWith(SRC)) return undefined;
      return { path: resolve(args.resolveDir, args.path), sideEffects: false };
    });
  },
};

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist");
// What an earlier build left, not what other builds put there (dist/ui, scripts/build_ui.mjs).
mkdirSync(DIST, { recursive: true });
for (const entry of readdirSync(DIST)) {
  if (entry !== "ui") rmSync(join(DIST, entry), { recursive: true, force: true });
}
const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external,
  // The few files that find a file or a package from import.meta.url find it from the bundle.
  define: { "import.meta.url": "__provisioImportMetaUrl" },
  // `import()` of a package (cli-progress, pino-pretty) becomes require(): a script compiled
  // by vm.Script has no module loader behind `import()` on Node 20 without a flag.
  supported: { "dynamic-import": false },
  banner: { js: 'var __provisioImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  // Smaller is faster here: the whole file is read and handed to V8 on every run. Names are
  // kept (error and class names show in messages); ASCII only, so V8 keeps it one byte a char.
  minify: true,
  keepNames: true,
  charset: "ascii",
  logLevel: "warning",
};
const indexImports = directIndexImports(SRC);
// dist/main.js: every command (help, a misspelt name, and the source map for all).
await build({
  ...common,
  entryPoints: { main: join(SRC, "cli", "main.ts") },
  outdir: DIST,
  plugins: [sideEffectFreeSources, indexImports],
  sourcemap: "linked",
});

// dist/commands/<name>.js: the CLI with one command, what `provisio <name> …` runs. The bytes
// read and handed to V8 at every start are then that command's (`device` is about half of
// main.js), not every command's. Made by giving the bundler a commands.ts with that command's
// loader alone.
const COMMANDS_TS = join(SRC, "cli", "commands.ts");
const commandsSource = readFileSync(COMMANDS_TS, "utf8");
const LOADER = /^ {2}("?[a-z][a-z-]*"?): async \(\) =>/;

/** commands.ts's loaders, by name, as source text (`name: async () => …,` up to the next). */
function loaderTexts() {
  const lines = commandsSource.split("\n");
  const start = lines.findIndex((l) => l.includes("COMMAND_LOADERS"));
  const end = lines.findIndex((l, i) => i > start && l === "};");
  const loaders = new Map();
  let current;
  for (const line of lines.slice(start + 1, end)) {
    const m = LOADER.exec(line);
    if (m) {
      current = m[1].replaceAll('"', "");
      loaders.set(current, []);
    }
    if (current !== undefined) loaders.get(current).push(line);
  }
  if (loaders.size === 0) throw new RangeError("build: no command loaders found in commands.ts");
  return { loaders, head: lines.slice(0, start + 1), tail: lines.slice(end) };
}
const { loaders, head, tail } = loaderTexts();
// Commands whose work is the network: their built-in modules load at start, as usual.
const USES_THE_NETWORK = new Set(["serve", "emulate", "fleet"]);
// One incremental build context for every command (esbuild parses the sources once; each
// rebuild gives it a commands.ts with the next command's loader alone, and links again).
let current;
const oneCommand = {
  name: "one-command",
  setup(builder) {
    builder.onLoad({ filter: /[\\/]cli[\\/]commands\.ts$/ }, (args) =>
      args.path === COMMANDS_TS
        ? { contents: [...head, ...loaders.get(current), ...tail].join("\n"), loader: "ts" }
        : undefined,
    );
  },
};
mkdirSync(join(DIST, "commands"));
const perCommand = await context({
  ...common,
  entryPoints: { command: join(SRC, "cli", "main.ts") },
  outdir: join(DIST, "commands"),
  write: false,
  plugins: [oneCommand, sideEffectFreeSources, indexImports],
});
try {
  for (const name of loaders.keys()) {
    current = name;
    const lazy = !USES_THE_NETWORK.has(name);
    const [out] = (await perCommand.rebuild()).outputFiles;
    const banner = `// provisio ${name}: the CLI with this one command (scripts/build.mjs).\n${lazy ? `${LAZY_REQUIRE}\n` : ""}`;
    // After the first line: the import.meta.url banner that every bundle starts with.
    const text = lazy ? lazyRequires(out.text) : out.text;
    const cut = text.indexOf("\n") + 1;
    writeFileSync(join(DIST, "commands", `${name}.js`), text.slice(0, cut) + banner + text.slice(cut));
  }
} finally {
  await perCommand.dispose();
}
writeFileSync(join(DIST, "package.json"), '{ "type": "commonjs" }\n');
// The commit built, where the sources are a git checkout: bin/provisio.js runs the sources
// instead of a bundle built from another commit (a `git pull` without `npm ci`).
const commit = spawnSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" });
const builtCommit = commit.status === 0 ? commit.stdout.trim() : "";
writeFileSync(join(DIST, "BUILT"), `${new Date().toISOString()}\n${builtCommit}\n`);

// A first code cache per command, from loading it (`provisio <command> --help`, run through
// bin/provisio.js with PROVISIO_CODE_CACHE=build); a command's first real run replaces it
// with one that holds what the run compiled, where dist/ is writable.
const { COMMAND_NAMES } = createRequire(import.meta.url)(join(DIST, "main.js"));
mkdirSync(join(DIST, "cache"));
const names = ["--version", "--help", ...COMMAND_NAMES];
const failures = [];
async function cacheFor(name) {
  const args = name.startsWith("--") ? [name] : [name, "--help"];
  const child = spawn(process.execPath, [join(ROOT, "bin", "provisio.js"), ...args], {
    env: { ...process.env, PROVISIO_FROM_SOURCE: "0", PROVISIO_CODE_CACHE: "build" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise((done) => child.on("close", done));
  if (code !== 0) failures.push(`${name}: exit ${code} ${stderr}`);
}
const queue = [...names];
await Promise.all(
  Array.from({ length: Math.min(4, availableParallelism()) }, async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) await cacheFor(name);
  }),
);
// Without a cache every command still runs (compiled as it loads): say so, do not fail.
if (failures.length > 0) process.stderr.write(`build: no code cache for ${failures.join("; ")}\n`);
// The TFTP fast path (optional native endpoint; see scripts/build_native.mjs).
await import("./build_native.mjs");
