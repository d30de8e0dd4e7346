/**
 * The firmware images a node serves: the registry (from the store, followed through the
 * change feed) and their bytes, read from `<files dir>/firmware/<file name>` and checked
 * against the registered size and SHA-256 before a device gets them. Nodes share the files
 * directory (docs/firmware.md); a node on which a registered image is missing or differs
 * (a copy still in progress, a sync that has not run) says so — `missing` — instead of
 * pretending the image does not exist. Bytes are kept in memory up to a bound (a rollout
 * sends the same few images to every unit), least recently used first out.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FirmwareImageRecord, Store } from "../store/index.ts";

export type ImageBytes =
  | { readonly kind: "ok"; readonly bytes: Buffer }
  | { readonly kind: "missing"; readonly reason: string };

export const FIRMWARE_FOLDER = "firmware";
const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
/** A missing image is looked for again after this long (a copy may have landed). */
const MISSING_RETRY_MS = 5_000;

export class FirmwareFiles {
  readonly #store: Store;
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #now: () => number;
  #byFile = new Map<string, FirmwareImageRecord>();
  #images: readonly FirmwareImageRecord[] = [];
  /** Bumped by every reload: part of the upgrade rule's cache key. */
  generation = 0;
  readonly #bytes = new Map<string, Buffer>();
  #cached = 0;
  readonly #missing = new Map<string, { at: number; reason: string }>();
  #loading: Promise<void> | undefined;
  readonly #unsubscribe: () => void;

  constructor(options: {
    store: Store;
    filesDir: string;
    maxCacheBytes?: number;
    now?: () => number;
  }) {
    this.#store = options.store;
    this.#dir = join(options.filesDir, FIRMWARE_FOLDER);
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
      this.#byFile = new Map(images.map((i) => [i.fileName, i]));
      for (const name of [...this.#bytes.keys()]) {
        if (!this.#byFile.has(name)) this.#drop(name);
      }
      this.#missing.clear();
      this.generation++;
    });
    this.#loading = run.catch(() => undefined);
    return run;
  }

  get images(): readonly FirmwareImageRecord[] {
    return this.#images;
  }

  image(fileName: string): FirmwareImageRecord | undefined {
    return this.#byFile.get(fileName);
  }

  /** The image's bytes as registered, or why this node cannot serve them. */
  async bytes(image: FirmwareImageRecord): Promise<ImageBytes> {
    const hit = this.#bytes.get(image.fileName);
    if (hit !== undefined) {
      this.#bytes.delete(image.fileName);
      this.#bytes.set(image.fileName, hit);
      return { kind: "ok", bytes: hit };
    }
    const known = this.#missing.get(image.fileName);
    if (known !== undefined && this.#now() - known.at < MISSING_RETRY_MS) {
      return { kind: "missing", reason: known.reason };
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(join(this.#dir, image.fileName));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      return this.#isMissing(
        image,
        code === "ENOENT" ? "not on this node" : `unreadable (${code})`,
      );
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
    this.#missing.delete(image.fileName);
    if (bytes.length <= this.#maxBytes) {
      this.#bytes.set(image.fileName, bytes);
      this.#cached += bytes.length;
      while (this.#cached > this.#maxBytes) {
        const oldest = this.#bytes.keys().next();
        if (oldest.done === true) break;
        this.#drop(oldest.value);
      }
    }
    return { kind: "ok", bytes };
  }

  #isMissing(image: FirmwareImageRecord, reason: string): ImageBytes {
    this.#missing.set(image.fileName, { at: this.#now(), reason });
    return { kind: "missing", reason };
  }

  #drop(name: string): void {
    const b = this.#bytes.get(name);
    if (b === undefined) return;
    this.#bytes.delete(name);
    this.#cached -= b.length;
  }

  close(): void {
    this.#unsubscribe();
  }
}
