import type { Kysely, Migration } from "kysely";
import { storeError } from "../errors.ts";
import { redact } from "../redact.ts";
import { resealLayerValues } from "../reseal.ts";
import type { Database } from "../schema.ts";
import type { SecretSealer } from "../secret.ts";

const PAGE = 1_000;

/**
 * Secret parameter values in layers (`Admin_Passwd`, `Password_1_`, `GPP_SA`…, see
 * `isSecretParameter`) were stored in plaintext, and copied in plaintext into the audit
 * snapshots of `layer.set` / `layer.unset`. This seals them in `layers` (as `layers.set` now
 * does) and redacts them in those audit snapshots. No schema change; the revision does not
 * move (the values the renderer sees are the same).
 */
export function sealLayerSecrets(sealer: SecretSealer): Migration {
  return {
    async up(anyDb: Kysely<unknown>): Promise<void> {
      const db = anyDb as Kysely<Database>;
      // Already in the migration's transaction: each page writes through it.
      await resealLayerValues(
        db,
        sealer,
        () => false,
        (work) => work(db),
      );

      let after = 0;
      for (;;) {
        const rows = await db
          .selectFrom("audit_log")
          .select(["id", "before", "after"])
          .where("entity", "=", "layer")
          .where("id", ">", after)
          .orderBy("id")
          .limit(PAGE)
          .execute();
        if (rows.length === 0) break;
        after = rows.at(-1)!.id;
        for (const row of rows) {
          const before = redactJson(row.before);
          const afterJson = redactJson(row.after);
          if (before === row.before && afterJson === row.after) continue;
          await db
            .updateTable("audit_log")
            .set({ before, after: afterJson })
            .where("id", "=", row.id)
            .execute();
        }
      }
    },
    async down(): Promise<void> {
      throw storeError("STORE_MIGRATION_FAILED", "0002_seal_layer_secrets cannot be reverted");
    },
  };
}

function redactJson(json: string | null): string | null {
  if (json === null) return null;
  const redacted = JSON.stringify(redact(JSON.parse(json) as unknown));
  return redacted === json ? json : redacted;
}
