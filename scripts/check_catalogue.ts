/**
 * Checks the parameter catalogue data (src/profile/catalogue/): builder problems,
 * factory defaults against their types, duplicate element names per model, and the
 * parameters every model must carry. Prints coverage per family and model.
 *
 *   npx tsx scripts/check_catalogue.ts [--json]
 *
 * Exit status 1 when any problem is found.
 */
import { catalogueBuild, checkCatalogueData } from "../src/profile/index.ts";

const result = checkCatalogueData(catalogueBuild());
if (process.argv.includes("--json")) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const lines = [`catalogue: ${result.definitions} definitions`];
  for (const family of result.families) {
    lines.push(`  family ${family.family}: ${family.definitions} definitions`);
  }
  for (const model of result.models) {
    lines.push(`  model ${model.model} (${model.family}): ${model.parameters} parameters`);
  }
  for (const note of result.notes) lines.push(`note: ${note}`);
  for (const problem of result.problems) lines.push(`PROBLEM: ${problem}`);
  lines.push(result.problems.length === 0 ? "ok" : `${result.problems.length} problem(s)`);
  process.stdout.write(`${lines.join("\n")}\n`);
}
process.exitCode = result.problems.length === 0 ? 0 : 1;
