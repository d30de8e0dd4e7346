import { isUserAccess } from "../access.ts";
import type {
  DeviceFamily,
  IndexKind,
  ParameterDefinition,
  ParameterVariant,
} from "../parameter_definition.ts";
import { isParameterName } from "../parameter_name.ts";
import type { ValueType } from "../value_type.ts";
import { type FamilyTable, parseRows } from "./family_table.ts";
import { inferTypeSpec, parseTypeSpec } from "./type_spec.ts";

/** A device model the catalogue knows, with its index counts. */
export interface CatalogueModel {
  readonly name: string;
  readonly family: string;
  readonly deviceFamily: DeviceFamily;
  readonly counts: Readonly<Partial<Record<IndexKind, number>>>;
}

export interface CatalogueBuild {
  readonly definitions: readonly ParameterDefinition[];
  readonly models: readonly CatalogueModel[];
  /** Data defects found while building (the check script fails on any). */
  readonly problems: readonly string[];
  /** Facts worth a look that are not defects (printed by the check script). */
  readonly notes: readonly string[];
}

interface Entry {
  readonly key: string;
  /** Element name, or the base of an indexed one. */
  readonly name: string;
  readonly indexOver: IndexKind | undefined;
  readonly variant: ParameterVariant;
}

const INDEXED_TEMPLATE = /^(.*[^_])_\[n\]_$/;

/** Rows of one family → entries; indexed templates that are not `Base_[n]_` are expanded here. */
function familyEntries(table: FamilyTable, problems: string[]): Entry[] {
  const entries: Entry[] = [];
  const modelNames = new Set(table.models.map((m) => m.name));
  const everyModel = [...modelNames];
  for (const section of table.sections) {
    for (const row of parseRows(section.rows)) {
      const at = `${table.id} ${section.group} row ${row.line}`;
      const spec = row.type || section.type || inferTypeSpec(row.defaultValue);
      let type: ValueType | undefined = typeOf(spec);
      if (!type) {
        problems.push(`${at}: ${row.name}: unknown type spec ${JSON.stringify(spec)}`);
        type = { kind: "str" };
      }
      const ua = row.ua ?? section.ua ?? table.ua;
      if (!isUserAccess(ua)) problems.push(`${at}: ${row.name}: ua ${JSON.stringify(ua)}`);
      const models = row.models ?? section.models ?? everyModel;
      if (models !== everyModel) {
        for (const model of models) {
          if (!modelNames.has(model)) problems.push(`${at}: ${row.name}: unknown model ${model}`);
        }
      }
      const variant = (group: string, modelsHere: readonly string[], over?: IndexKind) => ({
        family: table.id,
        deviceFamily: table.deviceFamily,
        group,
        defaultValue: row.defaultValue,
        userAccess: ua,
        models: modelsHere,
        type: type!,
        ...(over ? { indexOver: over } : {}),
      });
      if (!row.name.includes("[n]")) {
        if (!isParameterName(row.name)) problems.push(`${at}: bad name ${row.name}`);
        entries.push({
          key: row.name,
          name: row.name,
          indexOver: undefined,
          variant: variant(section.group, models),
        });
        continue;
      }
      const over = section.index;
      if (!over) {
        problems.push(`${at}: ${row.name} holds [n] but the section has no index kind`);
        continue;
      }
      const countOf = (model: string) =>
        table.models.find((m) => m.name === model)?.counts[over] ?? 0;
      const indexed = INDEXED_TEMPLATE.exec(row.name);
      if (indexed) {
        const base = indexed[1]!;
        if (!isParameterName(base)) problems.push(`${at}: bad name ${row.name}`);
        entries.push({
          key: `${base}[n]`,
          name: base,
          indexOver: over,
          variant: variant(section.group, models, over),
        });
        continue;
      }
      // Irregular index placement (`Default_Ring__1__`): one plain entry per index.
      const max = Math.max(0, ...models.map(countOf));
      for (let n = 1; n <= max; n++) {
        const name = row.name.replace("[n]", String(n));
        if (!isParameterName(name)) problems.push(`${at}: bad name ${name}`);
        entries.push({
          key: name,
          name,
          indexOver: undefined,
          variant: variant(
            section.group.replace("[n]", String(n)),
            models.filter((m) => countOf(m) >= n),
          ),
        });
      }
    }
  }
  return entries;
}

// Type specs repeat thousands of times; one parsed object per spec also makes most type
// comparisons an identity check.
const TYPE_CACHE = new Map<string, ValueType | undefined>();

function typeOf(spec: string): ValueType | undefined {
  if (!TYPE_CACHE.has(spec)) TYPE_CACHE.set(spec, parseTypeSpec(spec));
  return TYPE_CACHE.get(spec);
}

const TYPE_KEYS = new WeakMap<ValueType, string>();

function typeKey(type: ValueType): string {
  let key = TYPE_KEYS.get(type);
  if (key === undefined) {
    key = JSON.stringify(type);
    TYPE_KEYS.set(type, key);
  }
  return key;
}

function sameType(a: ValueType, b: ValueType): boolean {
  return a === b || typeKey(a) === typeKey(b);
}

/** One type accepting what each family accepts: equal types, merged enums, else free text. */
function mergedType(variants: readonly ParameterVariant[]): ValueType {
  const first = variants[0]!.type;
  if (variants.every((v) => sameType(v.type, first))) return first;
  if (variants.every((v) => v.type.kind === "enum")) {
    const choices: string[] = [];
    for (const v of variants) {
      if (v.type.kind !== "enum") continue;
      for (const c of v.type.choices) if (!choices.includes(c)) choices.push(c);
    }
    return { kind: "enum", choices };
  }
  return { kind: "str" };
}

function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/**
 * Merges the spec's core definitions with the family tables: one definition per
 * element name (or indexed base), in order of first appearance, with each family's
 * view kept as a variant. The core keeps its richer types, labels and notes.
 */
export function buildCatalogueData(
  core: readonly ParameterDefinition[],
  tables: readonly FamilyTable[],
): CatalogueBuild {
  const problems: string[] = [];
  const notes: string[] = [];
  const models: CatalogueModel[] = [];
  const merged = new Map<
    string,
    { name: string; over: IndexKind | undefined; variants: ParameterVariant[] }
  >();
  for (const table of tables) {
    for (const model of table.models) {
      if (models.some((m) => m.name === model.name)) problems.push(`model ${model.name} twice`);
      models.push({
        name: model.name,
        family: table.id,
        deviceFamily: table.deviceFamily,
        counts: model.counts,
      });
    }
    const seen = new Set<string>();
    for (const entry of familyEntries(table, problems)) {
      if (seen.has(entry.key)) problems.push(`${table.id}: ${entry.key} listed twice`);
      seen.add(entry.key);
      const slot = merged.get(entry.key);
      if (slot) {
        slot.variants.push(entry.variant);
        if (slot.over !== entry.indexOver) {
          // An ATA's User n tab and a phone's Ext n both number per line (an ATA has as
          // many users as lines), so `line` counts right for every model; keeping `user`
          // would cut a 10-line phone to the largest ATA's user count.
          const kinds = new Set([slot.over, entry.indexOver]);
          if (kinds.size === 2 && kinds.has("user") && kinds.has("line")) slot.over = "line";
          else problems.push(`${entry.key}: indexed over ${slot.over} and ${entry.indexOver}`);
        }
      } else
        merged.set(entry.key, {
          name: entry.name,
          over: entry.indexOver,
          variants: [entry.variant],
        });
    }
  }
  const modelByName = new Map(models.map((m) => [m.name, m]));
  const modelCount = (model: string, over: IndexKind) => modelByName.get(model)?.counts[over] ?? 0;

  const coreByKey = new Map(core.map((d) => [d.indexed ? `${d.name}[n]` : d.name, d]));
  const definitions: ParameterDefinition[] = [];
  for (const [key, { name, over, variants }] of merged) {
    const allModels = unique(variants.flatMap((v) => v.models));
    const families = unique(variants.map((v) => v.deviceFamily));
    const indexCount = over ? Math.max(0, ...allModels.map((m) => modelCount(m, over))) : 0;
    const known = coreByKey.get(key);
    if (known) {
      coreByKey.delete(key);
      // The core's family list stays authoritative (a family catalogue follows the spec);
      // models that carry the name anyway are still listed in `models`.
      const outside = known.families && families.filter((f) => !known.families!.includes(f));
      if (outside && outside.length > 0) {
        notes.push(
          `${key}: the core lists ${known.families!.join("/")}, data also has ${outside.join("/")}`,
        );
      }
      if (known.indexed && over && known.indexed.over !== over) {
        problems.push(`${key}: indexed over ${known.indexed.over} in the core, ${over} in data`);
      }
      // The core's richer type stays; an enumeration still takes every family's choices.
      const type =
        known.type.kind === "enum" && variants.every((v) => v.type.kind === "enum")
          ? mergedType([{ ...variants[0]!, type: known.type }, ...variants])
          : known.type;
      // Per-family defaults the core does not state come from the data.
      const mppDefault = variants.find((v) => v.deviceFamily === "mpp")?.defaultValue;
      const sipuraDefault = variants.find((v) => v.deviceFamily === "sipura")?.defaultValue;
      definitions.push({
        ...known,
        ...(known.defaultMpp === undefined &&
        mppDefault !== undefined &&
        mppDefault !== known.defaultValue
          ? { defaultMpp: mppDefault }
          : {}),
        ...(known.defaultSipura === undefined &&
        sipuraDefault !== undefined &&
        sipuraDefault !== known.defaultValue
          ? { defaultSipura: sipuraDefault }
          : {}),
        type,
        ...(known.indexed
          ? {
              indexed: {
                over: known.indexed.over,
                count: Math.max(known.indexed.count, indexCount),
              },
            }
          : {}),
        group: variants[0]!.group,
        models: allModels,
        variants,
      });
      continue;
    }
    const spa = variants.find((v) => v.deviceFamily === "spa") ?? variants[0]!;
    const mpp = variants.find((v) => v.deviceFamily === "mpp");
    const sipura = variants.find((v) => v.deviceFamily === "sipura");
    const type = mergedType(variants);
    definitions.push({
      name,
      label: name.replace(/_/g, " "),
      ...(over ? { indexed: { over, count: Math.max(1, indexCount) } } : {}),
      type,
      defaultValue: spa.defaultValue,
      ...(mpp && mpp.defaultValue !== spa.defaultValue ? { defaultMpp: mpp.defaultValue } : {}),
      ...(sipura && sipura.defaultValue !== spa.defaultValue
        ? { defaultSipura: sipura.defaultValue }
        : {}),
      userAccess: spa.userAccess,
      ...(type.kind === "password" ? { secret: true } : {}),
      section: "catalogue",
      families,
      group: variants[0]!.group,
      models: allModels,
      variants,
    });
  }
  // Spec parameters no family table lists (yet) keep their place at the end.
  definitions.push(...coreByKey.values());
  return { definitions, models, problems, notes };
}
