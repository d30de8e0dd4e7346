// The house rule "a module is imported only through its index.ts", checked (part of
// `npm run lint`). A module is a folder directly under src/; the shared kernel is the files
// at src/'s root (errors.ts, mac_address.ts). A file may import its own module's files and
// the kernel freely; from any other module, only that module's index.ts. Biome's
// noRestrictedImports matches import strings, not "another folder's non-index file", hence
// this script.
//
//   node scripts/check_imports.mjs [--root DIR]     exit 1 and one line per deep import
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Documented exceptions (from ▸ to, relative to the root, with the decision that allows
 * them). Empty since the bundle resolves index imports to defining files (D1), which made
 * D12's `cli/profile_compiler.ts` ▸ `crypto/envelope.ts` exception unnecessary.
 */
export const EXCEPTIONS = [];

// `from "x"` (import / export … from), `import("x")`, bare `import "x"`.
const SPECIFIER = /\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** `src/cli/x.ts` ▸ "cli"; a kernel file at src/'s root ▸ "" (the kernel). */
function moduleOf(src, file) {
  const parts = relative(src, file).split(sep);
  return parts.length === 1 ? "" : parts[0];
}

/** Every import in `root`/src that reaches past another module's index.ts. */
export function findDeepImports(root) {
  const src = resolve(root, "src");
  const allowed = new Set(EXCEPTIONS.map((e) => `${e.from} ▸ ${e.to}`));
  const found = [];
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, "utf8");
    const from = moduleOf(src, file);
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (!specifier.startsWith(".")) continue;
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(src + sep)) continue;
      const to = moduleOf(src, target);
      if (to === "" || to === from) continue;
      if (target === join(src, to, "index.ts")) continue;
      const pair = `${relative(root, file)} ▸ ${relative(root, target)}`.split(sep).join("/");
      if (allowed.has(pair)) continue;
      const line = text.slice(0, match.index).split("\n").length;
      found.push({ file: relative(root, file), line, specifier, module: to });
    }
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--root");
  const root = at > 0 ? resolve(process.argv[at + 1]) : fileURLToPath(new URL("..", import.meta.url));
  const deep = findDeepImports(root);
  for (const d of deep) {
    process.stderr.write(
      `${d.file}:${d.line}: imports "${d.specifier}" — import src/${d.module}/index.ts instead (a module is imported only through its index.ts)\n`,
    );
  }
  if (deep.length > 0) {
    process.stderr.write(`${deep.length} deep import(s) across modules\n`);
    process.exit(1);
  }
}
