import type { UserAccess } from "../access.ts";
import type { DeviceFamily, IndexKind } from "../parameter_definition.ts";

/**
 * The catalogue data is written per product family as compact text tables (one
 * parameter a line) so that ~2,000 entries stay readable and reviewable; the builder
 * turns them into `ParameterDefinition`s. Nothing here is copied from a source file:
 * names, groups, types and defaults are facts recorded in this format.
 *
 * Row: `Name ~ default ~ type ~ ua ~ models`, trailing columns optional (`~` between spaces).
 * - `Name` may hold `[n]` for the index (`Proxy_[n]_`, `Default_Ring__[n]__`).
 * - `default` is the factory value; empty when the factory value is empty.
 * - `type` is a type spec (see `type_spec.ts`); empty = the section's type, else
 *   inferred from the default (`Yes`/`No` → bool, `*69` → star code, else string).
 * - `ua` is the factory user access; empty = the section's or the family's.
 * - `models` (comma-separated) restricts the row to some models of the family.
 */
export interface FamilySection {
  /** Web group (`SIP/SIP_Parameters`, `Ext_[n]/Proxy_and_Registration`). */
  readonly group: string;
  /** Index kind for rows holding `[n]`. */
  readonly index?: IndexKind;
  /** Default type spec for rows that give none. */
  readonly type?: string;
  readonly ua?: UserAccess;
  /** Restricts every row of the section to these models. */
  readonly models?: readonly string[];
  readonly rows: string;
}

export interface FamilyModel {
  /** Product name as the device reports it in `$PN` (`SPA122`, `CP-8851-3PCC`). */
  readonly name: string;
  /** Index counts: lines (FXS ports or extensions), users, line keys. */
  readonly counts: Readonly<Partial<Record<IndexKind, number>>>;
}

export interface FamilyTable {
  /** Stable id (`spa1xx`). */
  readonly id: string;
  readonly title: string;
  readonly deviceFamily: DeviceFamily;
  /** Factory ua of rows that state none. */
  readonly ua: UserAccess;
  readonly models: readonly FamilyModel[];
  readonly sections: readonly FamilySection[];
}

export interface FamilyRow {
  readonly name: string;
  readonly defaultValue: string;
  /** Type spec as written (possibly empty). */
  readonly type: string;
  readonly ua: UserAccess | undefined;
  readonly models: readonly string[] | undefined;
  /** 1-based line number inside the section's text, for messages. */
  readonly line: number;
}

const isBlank = (c: string | undefined) => c === " " || c === "\t";

/** Columns of a row: a `~` with white space before it and white space or the end after. */
function splitColumns(line: string): string[] {
  const columns: string[] = [];
  let start = 0;
  for (let at = line.indexOf("~"); at !== -1; at = line.indexOf("~", at + 1)) {
    const after = line[at + 1];
    if (at > 0 && isBlank(line[at - 1]) && (after === undefined || isBlank(after))) {
      columns.push(line.slice(start, at).trim());
      start = at + 1;
    }
  }
  columns.push(line.slice(start).trim());
  return columns;
}

/** Splits a section's text into rows; blank lines and `#` comments are skipped. */
export function parseRows(text: string): FamilyRow[] {
  const rows: FamilyRow[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const columns = splitColumns(trimmed);
    const [name = "", defaultValue = "", type = "", ua = "", models = ""] = columns;
    rows.push({
      name,
      defaultValue,
      type,
      ua: ua === "" ? undefined : (ua as UserAccess),
      models: models === "" ? undefined : models.split(",").map((m) => m.trim()),
      line: i + 1,
    });
  }
  return rows;
}

/** The section of `table` for `group`, for a family that shares it unchanged (load-time check). */
export function tableSection(table: FamilyTable, group: string): FamilySection {
  const section = table.sections.find((s) => s.group === group);
  if (!section) throw new RangeError(`no ${table.id} section ${group}`);
  return section;
}
