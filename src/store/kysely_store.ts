import { storeError } from "./errors.ts";
import type { Store, StoreDeps, StoreOptions } from "./store.ts";

export async function openKyselyStore(_options: StoreOptions, _deps: StoreDeps): Promise<Store> {
  throw storeError("STORE_UNAVAILABLE", "store implementation not landed yet");
}
