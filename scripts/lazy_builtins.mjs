// For the management commands' bundles: Node's heavier built-in modules are required when first
// used, not when the file that imports them is initialised. A command's files import `node:net`
// or `node:crypto` for one function (an address check, an id) that a listing command never
// calls, and commander requires `node:child_process` for subcommands Provisio does not have;
// each such module costs the start-up its own loading (D42). Not for the server, the emulator or
// the fleet, which use them on every request.
//
// In the bundle's text, `require("node:net")` becomes a proxy that loads the module on the first
// property read. esbuild turns `import { isIP } from "node:net"` into a read at the call
// (`(0, net.isIP)(…)`), so nothing changes for the caller.
const LAZY = [
  "child_process",
  "crypto",
  "dgram",
  "http",
  "https",
  "net",
  "os",
  "string_decoder",
  "timers/promises",
  "tls",
  "zlib",
];
const REQUIRE = new RegExp(`require\\("node:(${LAZY.join("|").replaceAll("/", "\\/")})"\\)`, "g");

/** The banner that defines the proxy maker. */
export const LAZY_REQUIRE = `var __provisioLazy = (name) => {
  let real;
  const load = () => (real ??= require(name));
  return new Proxy({}, {
    get: (_, key) => load()[key],
    has: (_, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(load(), key);
      return d === undefined ? undefined : { ...d, configurable: true };
    },
  });
};`;

/** The bundle's text with the listed modules required lazily. */
export function lazyRequires(text) {
  return text.replace(REQUIRE, (_, name) => `__provisioLazy("node:${name}")`);
}
