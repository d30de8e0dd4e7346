/**
 * What a unit remembers of the files it applied, so that fetching a file it already applied
 * need not mean decoding and applying it again when doing so cannot change anything.
 *
 * Why skipping is exact: applying a profile sets, per named parameter, the value and the
 * access each to a constant (the file's, or the factory one) or keeps them, and keeping a
 * non-empty value (MPP `preserve-value`) only fills an empty one; a value is refused by its
 * type alone. Each of these is idempotent, and so is their composition per name, so a file
 * applied again to the table it produced leaves every value and access as they are: no
 * change, hence no restart and no state transition. Decoding is a pure function of the
 * bytes, `--key`, the `--alias` map and the key-derivation digests, so the notes and the
 * refused entries come out the same too, and are replayed into the log as a real re-apply
 * would write them. The table must be the one the file produced: the store's revision moves
 * with every change (a later file, an assignment, an admin edit, a factory reset), so an
 * equal revision is that table. One exception: with `preserve-value`, whether an entry is
 * refused depends on the value it meets (empty or not), so such a file is skipped only once
 * applying it has changed nothing (the table was already its fixed point).
 */
import { createHash } from "node:crypto";
import type { KdfDigest } from "../crypto/index.ts";
import type { ProfileEntry } from "../profile/index.ts";

/** What applying one file said, kept to be said again. */
export interface AppliedFile {
  /** `fileFingerprint` of the fetched bytes and their decoding options. */
  readonly fingerprint: string;
  /** The parameter store's revision right after applying. */
  readonly revision: number;
  /** Entries in the decoded profile. */
  readonly entries: number;
  /** The decoder's notes (non-ASCII replaced, alias problems, parser warnings). */
  readonly notes: readonly string[];
  /** Entries whose value the parameter's type refused. */
  readonly rejected: readonly ProfileEntry[];
  /** Some entry carries `preserve-value`. */
  readonly preservesValues: boolean;
  /** Applying it changed nothing. */
  readonly changedNothing: boolean;
}

export interface FingerprintOptions {
  readonly key?: string;
  readonly aliasMap?: string;
  readonly digests: readonly KdfDigest[];
  /** Targeted containers decode per unit: two units must never share one's decoding. */
  readonly identity?: {
    readonly mac: string;
    readonly installationSecret?: Uint8Array;
    readonly privateKeyPem?: string;
  };
  readonly aes128gcmIkm?: string;
}

/** SHA-256 over the bytes and everything else decoding depends on. */
export function fileFingerprint(bytes: Uint8Array, options: FingerprintOptions): string {
  return createHash("sha256")
    .update(bytes)
    .update(
      `\u0000${JSON.stringify([options.key ?? null, options.aliasMap ?? null, options.digests])}`,
    )
    .update(identityPart(options))
    .digest("base64");
}

/** Empty without identity or IKM, so fingerprints of plain files stay what they were. */
function identityPart(options: FingerprintOptions): string {
  const id = options.identity;
  if (id === undefined && options.aes128gcmIkm === undefined) return "";
  const hash = (v: string | Uint8Array | undefined) =>
    v === undefined ? null : createHash("sha256").update(v).digest("base64");
  return `\u0000${JSON.stringify([
    id?.mac ?? null,
    hash(id?.installationSecret),
    hash(id?.privateKeyPem),
    hash(options.aes128gcmIkm),
  ])}`;
}

/** Per unit: the last file each rule (`Profile_Rule`…, `explicit`) applied. */
export class AppliedFiles {
  private readonly byRule = new Map<string, AppliedFile>();

  /** What re-applying `fingerprint` for `rule` would say, when it is known to change nothing. */
  replay(rule: string, fingerprint: string, revision: number): AppliedFile | undefined {
    const last = this.byRule.get(rule);
    if (last === undefined || last.fingerprint !== fingerprint || last.revision !== revision) {
      return undefined;
    }
    return !last.preservesValues || last.changedNothing ? last : undefined;
  }

  remember(rule: string, file: AppliedFile): void {
    this.byRule.set(rule, file);
  }
}
