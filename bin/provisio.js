#!/usr/bin/env node
// Starts the CLI from the esbuild bundle in dist/ (built by `npm ci`), or from the TypeScript
// sources through tsx when there is no bundle, when the bundle was built from another commit
// than the checkout's (a `git pull` without `npm ci`), or when PROVISIO_FROM_SOURCE=1 asks.
// Edits not committed yet are not looked for: walking src/ on every start cost more than the
// rest of a management command's own start (D49). The test suite runs the sources when they are
// newer (test/cli_bundle.global.ts); after editing src/, `npm run build`.
// CommonJS (bin/package.json says so): an ES module entry costs Node's module loader on every
// start, which a management command's start cannot afford (D42).
const { readFileSync, renameSync, writeFileSync, writeSync } = require("node:fs");
const { dirname, join } = require("node:path");
const { Script } = require("node:vm");
// The CommonJS loader's own createRequire: `node:module` would also load the ES module loader.
const { createRequire } = module.constructor;

const root = join(__dirname, "..");

function readText(file) {
  try {
    return readFileSync(file, "latin1");
  } catch {
    return undefined;
  }
}

/** The checkout's commit, read from .git as git keeps it; undefined where that is not plain. */
function checkoutCommit() {
  const head = readText(join(root, ".git", "HEAD"))?.trim();
  if (head === undefined || !head.startsWith("ref: ")) return head;
  const ref = head.slice(5);
  const loose = readText(join(root, ".git", ref))?.trim();
  if (loose !== undefined) return loose;
  const packed = readText(join(root, ".git", "packed-refs"));
  const line = packed?.split("\n").find((l) => l.endsWith(` ${ref}`));
  return line?.slice(0, line.indexOf(" "));
}

/** A bundle exists, built from this checkout's commit (or a commit is not known either side). */
function bundleIsCurrent() {
  const built = readText(join(root, "dist", "BUILT"));
  if (built === undefined) return false;
  const commit = built.split("\n")[1] ?? "";
  if (commit === "") return true;
  const now = checkoutCommit();
  return now === undefined || now === commit;
}

const commandFile = (name) => join(root, "dist", "commands", `${name}.js`);

function readOrUndefined(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * The bundle (CommonJS: the command's own, dist/commands/<name>.js, or dist/main.js with every
 * command, for help or a name that is not a command) loaded as `require` would load it, but compiled through
 * `vm.Script` with V8's code cache for the command being run (D42): Node 20 caches no module
 * code, and compiling the bundle was most of a management command's start. The cache is
 * dist/cache/<command>.bin, written after the command's first run (where dist/ is writable),
 * else <command>.build.bin, written by the build; V8 refuses a cache from another Node
 * version or another bundle (`cachedDataRejected`), and the run then writes a new one.
 * PROVISIO_CODE_CACHE=0 neither reads nor writes one; =build is the build writing its own.
 */
function loadBundle(argv) {
  const mode = process.env.PROVISIO_CODE_CACHE;
  const word = argv[2] ?? "";
  const key =
    word === "--version" || word === "-V" ? "version" : /^[a-z][a-z-]*$/.test(word) ? word : "_";
  // A command's own bundle (dist/commands/<name>.js) when it names one, else every command's.
  const own = key === "version" || key === "_" ? undefined : readOrUndefined(commandFile(key));
  const file = own === undefined ? join(root, "dist", "main.js") : commandFile(key);
  const source = own ?? readFileSync(file);
  const cacheFile = (kind) => join(root, "dist", "cache", `${key}${kind}.bin`);
  const fromRun = mode === "0" || mode === "build" ? undefined : readOrUndefined(cacheFile(""));
  const cachedData = fromRun ?? (mode === "0" ? undefined : readOrUndefined(cacheFile(".build")));
  // The bundle is ASCII (scripts/build.mjs), so latin1 is its text, decoded without UTF-8's checks.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {\n${source.toString("latin1")}\n})`;
  const script = new Script(wrapped, {
    filename: file,
    lineOffset: -1,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const { main, COMMAND_NAMES } = module.exports;
  // After the run: what it compiled, for the next run of the same command. Not for the server,
  // which runs for days (its start-up is not what the cache is for), nor for a name that is
  // not a command.
  const known = key === "version" || key === "_" || COMMAND_NAMES.includes(key);
  const save =
    mode === "build"
      ? cacheFile(".build")
      : mode !== "0" &&
          key !== "serve" &&
          known &&
          (fromRun === undefined || script.cachedDataRejected)
        ? cacheFile("")
        : undefined;
  const saveCache = () => {
    if (save === undefined) return;
    try {
      const temporary = `${save}.${process.pid}`;
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, save); // whole or not at all: a reader never sees half a cache
    } catch {
      // dist/ not writable by this user: the build's cache (or none) stays in use
    }
  };
  return { main, saveCache };
}

// PROVISIO_FROM_SOURCE=1 forces the sources; PROVISIO_FROM_SOURCE=0 forces the bundle.
async function run() {
  const mode = process.env.PROVISIO_FROM_SOURCE;
  const alone = process.argv.length === 3 ? process.argv[2] : undefined;
  if (alone === "--version" || alone === "-V") {
    // The version alone needs none of the CLI's code (test/cli/main_commands.test.ts checks
    // that the CLI's own --version says this same number).
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    // To the descriptor: building process.stdout would load Node's stream machinery.
    try {
      writeSync(1, `${version}\n`);
    } catch (error) {
      if (error.code !== "EPIPE") throw error;
    }
  } else if (mode === "0" || (mode !== "1" && bundleIsCurrent())) {
    const { main, saveCache } = loadBundle(process.argv);
    process.exitCode = await main(process.argv);
    saveCache();
  } else {
    const { register } = await import("tsx/esm/api");
    register();
    const { main } = await import("../src/cli/main.ts");
    process.exitCode = await main(process.argv);
  }
}

run().catch((error) => {
  // main() reports every error itself; this is only reached if loading failed.
  process.stderr.write(`provisio: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 70;
});
