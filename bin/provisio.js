#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step, and
// `npm ci` is the whole install (tsx is a runtime dependency).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
