/**
 * The firmware images a node serves: the registry (from the store, followed through the
 * change feed) and their bytes, read from `<files dir>/firmware/<tenant id>/<file name>` and
 * checked against the registered size and SHA-256 before a device gets them. An image is its
 * tenant's: file names are unique per tenant, so the tenant's folder keeps two tenants'
 * images of one name apart. Nodes share the files directory (docs/firmware.md); a node on
 * which a registered image is missing or differs (a copy still in progress, a sync that has
 * not run) says so — `missing` — instead of pretending the image does not exist. Bytes are
 * kept in memory up to a bound (a rollout sends the same few images to every unit), least
 * recently used first out.
 *
 * Files of images registered before names were per tenant lie at `firmware/<file name>`: the
 * first node that needs such an image (or reads the registry at start) moves the file into its
 * tenant's folder, once it checked that the bytes are the registered ones. Only the oldest
 * image of that name may take it — the one registered when names were installation-wide.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import type { FirmwareImageRecord, Store } from "../store/index.ts";

export type ImageBytes =
  | { readonly kind: "ok"; readonly bytes: Buffer }
  | { readonly kind: "missing"; readonly reason: string };

export const FIRMWARE_FOLDER = "firmware";
const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
/** A missing image is looked for again after this long (a copy may have landed). */
const MISSING_RETRY_MS = 5_000;
/** A tenant id as a folder name: what the store creates (UUIDs, `default`), nothing else. */
const TENANT_FOLDER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The tenant's firmware folder under the files directory (undefined: not a safe name). */
export function firmwareFolder(filesDir: string, tenantId: string): string | undefined {
  return TENANT_FOLDER.test(tenantId) ? join(filesDir, FIRMWARE_FOLDER, tenantId) : undefined;
}

/** Where an image's bytes live under the files directory. */
export function firmwareFilePath(
  filesDir: string,
  image: Pick<FirmwareImageRecord, "tenantId" | "fileName">,
): string | undefined {
  const folder = firmwareFolder(filesDir, image.tenantId);
  return folder === undefined ? undefined : join(folder, image.fileName);
}

const keyOf = (tenantId: string, fileName: string) => `${tenantId}/${fileName}`;

export class FirmwareFiles {
  readonly #store: Store;
  readonly #filesDir: string;
  readonly #maxBytes: number;
  readonly #now: () => number;
  /** `tenant id/file name` ▸ image. */
  #byFile = new Map<string, FirmwareImageRecord>();
  /** File name ▸ the id of the oldest image of that name (the one a legacy file may be). */
  #legacyOwner = new Map<string, string>();
  #images: readonly FirmwareImageRecord[] = [];
  /** Bumped by every reload: part of the upgrade rule's cache key. */
  generation = 0;
  /** Image id ▸ bytes. */
  readonly #bytes = new Map<string, Buffer>();
  #cached = 0;
  readonly #missing = new Map<string, { at: number; reason: string }>();
  #loading: Promise<void> | undefined;
  #adopted = false;
  readonly #unsubscribe: () => void;

  constructor(options: {
    store: Store;
    filesDir: string;
    maxCacheBytes?: number;
    now?: () => number;
  }) {
    this.#store = options.store;
    this.#filesDir = options.filesDir;
    this.#maxBytes = options.maxCacheBytes ?? DEFAULT_CACHE_BYTES;
    this.#now = options.now ?? Date.now;
    this.#unsubscribe = options.store.changes.subscribe((notice) => {
      if (notice.entity === "firmware" || notice.entity === "all" || notice.entity === "tenant") {
        void this.reload();
      }
    });
  }

  /** Reads the registry again (serialised; a reload asked during one runs after it). */
  reload(): Promise<void> {
    const run = (this.#loading ?? Promise.resolve()).then(async () => {
      const images = await this.#store.firmware.listImages({ limit: 10_000 });
      this.#images = images;
      this.#byFile = new Map(images.map((i) => [keyOf(i.tenantId, i.fileName), i]));
      const owners = new Map<string, string>();
      // Listed oldest first: the first of a name is the one registered before names were
      // per tenant, if any was.
      for (const i of images) if (!owners.has(i.fileName)) owners.set(i.fileName, i.id);
      this.#legacyOwner = owners;
      const ids = new Set(images.map((i) => i.id));
      for (const id of [...this.#bytes.keys()]) if (!ids.has(id)) this.#drop(id);
      this.#missing.clear();
      this.generation++;
      if (!this.#adopted) {
        this.#adopted = true;
        void this.#adoptAll(images);
      }
    });
    this.#loading = run.catch(() => undefined);
    return run;
  }

  get images(): readonly FirmwareImageRecord[] {
    return this.#images;
  }

  /** The tenant's image of this file name. */
  image(tenantId: string, fileName: string): FirmwareImageRecord | undefined {
    return this.#byFile.get(keyOf(tenantId, fileName));
  }

  /** The image's bytes as registered, or why this node cannot serve them. */
  async bytes(image: FirmwareImageRecord): Promise<ImageBytes> {
    const hit = this.#bytes.get(image.id);
    if (hit !== undefined) {
      this.#bytes.delete(image.id);
      this.#bytes.set(image.id, hit);
      return { kind: "ok", bytes: hit };
    }
    const known = this.#missing.get(image.id);
    if (known !== undefined && this.#now() - known.at < MISSING_RETRY_MS) {
      return { kind: "missing", reason: known.reason };
    }
    const path = firmwareFilePath(this.#filesDir, image);
    if (path === undefined) return this.#isMissing(image, "its tenant id is no folder name");
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      const adopted = code === "ENOENT" ? await this.#adopt(image) : undefined;
      if (adopted === undefined) {
        return this.#isMissing(
          image,
          code === "ENOENT" ? "not on this node" : `unreadable (${code})`,
        );
      }
      bytes = adopted;
    }
    if (bytes.length !== image.bytes) {
      return this.#isMissing(
        image,
        `${bytes.length} bytes on this node, ${image.bytes} registered`,
      );
    }
    if (createHash("sha256").update(bytes).digest("hex") !== image.sha256) {
      return this.#isMissing(image, "its SHA-256 on this node differs from the registered one");
    }
    this.#missing.delete(image.id);
    if (bytes.length <= this.#maxBytes) {
      this.#bytes.set(image.id, bytes);
      this.#cached += bytes.length;
      while (this.#cached > this.#maxBytes) {
        const oldest = this.#bytes.keys().next();
        if (oldest.done === true) break;
        this.#drop(oldest.value);
      }
    }
    return { kind: "ok", bytes };
  }

  /**
   * Moves a file left at `firmware/<file name>` (before names were per tenant) into the
   * image's tenant folder, when this image may own it and its bytes are the registered ones;
   * returns them. Another node moving it at the same time is fine (one rename wins).
   */
  async #adopt(image: FirmwareImageRecord): Promise<Buffer | undefined> {
    if (this.#legacyOwner.get(image.fileName) !== image.id) return undefined;
    const folder = firmwareFolder(this.#filesDir, image.tenantId);
    if (folder === undefined) return undefined;
    const legacy = join(this.#filesDir, FIRMWARE_FOLDER, image.fileName);
    let bytes: Buffer;
    try {
      bytes = await readFile(legacy);
    } catch {
      return undefined;
    }
    if (
      bytes.length !== image.bytes ||
      createHash("sha256").update(bytes).digest("hex") !== image.sha256
    ) {
      return undefined;
    }
    try {
      await mkdir(folder, { recursive: true });
      await rename(legacy, join(folder, image.fileName));
    } catch {
      // Moved by another node meanwhile, or not movable here: served from what was read.
    }
    return bytes;
  }

  /** At start: every legacy file moved to its tenant folder, one at a time, in the background. */
  async #adoptAll(images: readonly FirmwareImageRecord[]): Promise<void> {
    for (const image of images) {
      const path = firmwareFilePath(this.#filesDir, image);
      if (path === undefined || this.#legacyOwner.get(image.fileName) !== image.id) continue;
      try {
        await stat(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") continue;
        // A failure here is retried when a unit asks for the image.
        await this.#adopt(image).catch(() => undefined);
      }
    }
  }

  #isMissing(image: FirmwareImageRecord, reason: string): ImageBytes {
    this.#missing.set(image.id, { at: this.#now(), reason });
    return { kind: "missing", reason };
  }

  #drop(id: string): void {
    const b = this.#bytes.get(id);
    if (b === undefined) return;
    this.#bytes.delete(id);
    this.#cached -= b.length;
  }

  close(): void {
    this.#unsubscribe();
  }
}
