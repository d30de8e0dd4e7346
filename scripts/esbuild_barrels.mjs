// An esbuild plugin for the CLI bundle: an import from another module's `index.ts` is
// rewritten, in the bundle only, to imports from the files that define the imported names.
//
// Why: the sources import a module only through its index.ts (the house rule, checked by
// scripts/check_imports.mjs), but esbuild follows every re-export of an index it passes
// through: a command importing one function from `server/index.ts` would initialise the whole
// server when it loads (in the bundle each file reached by `import()` runs on first use, D42;
// with the earlier code splitting, it shared a chunk) and load its packages (pino, prom-client,
// LiquidJS, the x509 stack) at start-up. Importing from the defining file makes a command run
// only the files it uses (decision D1). Names this cannot place (an `export *` it cannot read, a
// default export) are left on the index import, which stays correct, only heavier.
import { readFileSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";

const IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*"([^"]+\/index\.ts)";?/g;
const REEXPORT = /export\s+(type\s+)?\{([^}]*)\}\s*from\s*"([^"]+)";?/g;
const STAR = /export\s+\*\s+from\s*"([^"]+)";?/g;
const DECLARED =
  /export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|enum|abstract\s+class)\s+([A-Za-z_$][\w$]*)/g;
const LOCAL_LIST = /export\s+\{([^}]*)\}\s*;/g;
/** `const { a, b } = await import("../x/index.ts")`: names only, no renames or defaults. */
const DYNAMIC = /const\s+\{([\w$\s,]*)\}\s*=\s*await\s+import\(\s*"([^"]+\/index\.ts)"\s*\)/g;

/** `a`, `type B`, `c as d` ▸ { name, local, type }. */
function specifiers(list) {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      const type = s.startsWith("type ");
      const body = type ? s.slice(5).trim() : s;
      const [local, name = local] = body.split(/\s+as\s+/).map((p) => p.trim());
      return { name, local, type };
    });
}

/** Value names a file exports ▸ [defining file, name there]. */
function exportsOf(file, cache, seen = new Set()) {
  const known = cache.get(file);
  if (known !== undefined) return known;
  if (seen.has(file)) return new Map();
  seen.add(file);
  const map = new Map();
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    cache.set(file, map);
    return map;
  }
  for (const m of text.matchAll(DECLARED)) map.set(m[1], [file, m[1]]);
  for (const m of text.matchAll(LOCAL_LIST)) {
    for (const s of specifiers(m[1])) if (!s.type) map.set(s.name, [file, s.local]);
  }
  for (const m of text.matchAll(REEXPORT)) {
    if (m[1]) continue;
    const target = resolve(dirname(file), m[3]);
    const inner = exportsOf(target, cache, seen);
    for (const s of specifiers(m[2])) {
      if (s.type) continue;
      map.set(s.name, inner.get(s.local) ?? [target, s.local]);
    }
  }
  for (const m of text.matchAll(STAR)) {
    for (const [name, where] of exportsOf(resolve(dirname(file), m[1]), cache, seen)) {
      if (!map.has(name)) map.set(name, where);
    }
  }
  cache.set(file, map);
  return map;
}

function relativeImport(fromDir, file) {
  let path = file.startsWith(fromDir + sep) ? `./${file.slice(fromDir.length + 1)}` : file;
  if (path === file) {
    const up = [];
    let dir = fromDir;
    while (!file.startsWith(dir + sep)) {
      up.push("..");
      dir = dirname(dir);
    }
    path = `${up.join("/")}/${file.slice(dir.length + 1)}`;
  }
  return path.split(sep).join("/");
}

/**
 * `const { a, b } = await import("…/index.ts")` ▸ the defining files imported (in parallel) and
 * the names picked from them: a command that loads a service on demand loads that service, not
 * the module's every file (and a per-command bundle holds only what it may load).
 */
function rewriteDynamicIndexImports(dir, text, cache) {
  return text.replace(DYNAMIC, (whole, list, from) => {
    const index = resolve(dir, from);
    const exported = exportsOf(index, cache);
    const names = specifiers(list);
    const files = [];
    const picks = [];
    for (const { name } of names) {
      const where = exported.get(name);
      if (where === undefined) return whole;
      const [target, original] = where;
      let at = files.indexOf(target);
      if (at < 0) at = files.push(target) - 1;
      picks.push(`${name}: m${at}.${original}`);
    }
    const imports = files.map((f) => `import("${relativeImport(dir, f)}")`).join(", ");
    const modules = files.map((_, i) => `m${i}`).join(", ");
    return `const {${list}} = await Promise.all([${imports}]).then(([${modules}]) => ({ ${picks.join(", ")} }))`;
  });
}

/** Rewrites one file's index imports; returns the text unchanged when there are none. */
export function rewriteIndexImports(file, text, cache = new Map()) {
  const dir = dirname(file);
  return rewriteDynamicIndexImports(dir, text, cache).replace(IMPORT, (whole, typeOnly, list, from) => {
    if (typeOnly) return whole;
    const index = resolve(dir, from);
    if (dirname(index) === dir) return whole;
    const exported = exportsOf(index, cache);
    const byFile = new Map();
    const kept = [];
    for (const s of specifiers(list)) {
      if (s.type) continue;
      const where = exported.get(s.local);
      if (where === undefined) {
        kept.push(s.local === s.name ? s.local : `${s.local} as ${s.name}`);
        continue;
      }
      const [target, original] = where;
      const names = byFile.get(target) ?? [];
      names.push(original === s.name ? original : `${original} as ${s.name}`);
      byFile.set(target, names);
    }
    const lines = [...byFile].map(
      ([target, names]) => `import { ${names.join(", ")} } from "${relativeImport(dir, target)}";`,
    );
    if (kept.length > 0) lines.push(`import { ${kept.join(", ")} } from "${from}";`);
    return lines.join("\n");
  });
}

/**
 * The plugin: applies to the TypeScript files under `srcDir`. One instance may serve several
 * builds of the same sources (the per-command bundles): each file is rewritten once.
 */
export function directIndexImports(srcDir) {
  const cache = new Map();
  const rewritten = new Map();
  return {
    name: "direct-index-imports",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(srcDir)) return undefined;
        let contents = rewritten.get(args.path);
        if (contents === undefined) {
          contents = rewriteIndexImports(args.path, readFileSync(args.path, "utf8"), cache);
          rewritten.set(args.path, contents);
        }
        return { contents, loader: "ts" };
      });
    },
  };
}
