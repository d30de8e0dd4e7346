/**
 * Parse/serialize throughput of a 10,000-parameter profile in both formats, and the
 * hand-written XML tokenizer against fast-xml-parser on the same document (the reason
 * xml_codec.ts does not use it). Run: npx tsx bench/profile_parse.ts
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import {
  type ProfileEntry,
  parseTextProfile,
  parseXmlProfile,
  serializeTextProfile,
  serializeXmlProfile,
  type UserAccess,
} from "../src/profile/index.ts";

const COUNT = 10_000;
const ACCESS: (UserAccess | undefined)[] = ["na", "ro", "rw", undefined];

function buildProfile(): ProfileEntry[] {
  const entries: ProfileEntry[] = [];
  for (let i = 0; i < COUNT; i++) {
    const kind = i % 5;
    const value =
      kind === 0
        ? `http://prov.example.com/spa/$MA/${i}.cfg`
        : kind === 1
          ? "Yes"
          : kind === 2
            ? `( S0 <:1800555${i}> )`
            : kind === 3
              ? `${i * 7}`
              : `Display & "Name" ${i}`;
    entries.push({ name: `Param_${i}_${i % 4}_`, value, access: ACCESS[i % 4] });
  }
  return entries;
}

/**
 * Best of 10 rounds of 5 runs, in CPU time of this process (user + system): the machine
 * is shared, and wall time would mostly measure the neighbours.
 */
function measure(label: string, bytes: number, fn: () => unknown): void {
  for (let i = 0; i < 20; i++) fn(); // warm-up (let the JIT settle)
  let ms = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 10; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < 5; i++) fn();
    const used = process.cpuUsage(start);
    ms = Math.min(ms, (used.user + used.system) / 1000 / 5);
  }
  const perSecond = (COUNT / ms) * 1000;
  const mbps = bytes / 1024 / 1024 / (ms / 1000);
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(2).padStart(8)} ms/op  ${(perSecond / 1e6).toFixed(2).padStart(6)} M params/s  ${mbps.toFixed(0).padStart(5)} MB/s`,
  );
}

const entries = buildProfile();
const xml = serializeXmlProfile({ entries }).text;
// Plain text cannot carry `"` (§3.3.1): the text variant uses `'` instead.
const textEntries = entries.map((e) => ({ ...e, value: e.value?.replace(/"/g, "'") }));
const text = serializeTextProfile({ entries: textEntries }).text;
const xmlBytes = Buffer.byteLength(xml);
const textBytes = Buffer.byteLength(text);
console.log(
  `profile: ${COUNT} parameters; XML ${(xmlBytes / 1024).toFixed(0)} KiB, text ${(textBytes / 1024).toFixed(0)} KiB\n`,
);

measure("XML parse (parseXmlProfile)", xmlBytes, () => parseXmlProfile(xml));
measure("XML serialize (serializeXmlProfile)", xmlBytes, () => serializeXmlProfile({ entries }));
measure("text parse (parseTextProfile)", textBytes, () => parseTextProfile(text));
measure("text serialize (serializeTextProfile)", textBytes, () =>
  serializeTextProfile({ entries: textEntries }),
);

const fxp = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  trimValues: true,
  parseTagValue: false,
});
measure("fast-xml-parser XMLParser (preserveOrder)", xmlBytes, () => fxp.parse(xml));
measure("fast-xml-parser XMLValidator (for errors)", xmlBytes, () => XMLValidator.validate(xml));
