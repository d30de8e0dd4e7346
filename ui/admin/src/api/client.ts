/**
 * The admin API as the UI calls it: same origin, the session cookie, and the header that
 * marks a request as the UI's own (the server refuses cookie-authenticated changes without
 * it, so a cross-site form cannot make them). Errors arrive as `ApiError` with the API's
 * code and message, which the pages show as they are.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text === "" ? path : `${path}?${text}`;
}

interface ErrorShape {
  readonly error?: {
    readonly code?: unknown;
    readonly message?: unknown;
    readonly details?: unknown;
  };
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: ErrorShape = {};
  try {
    body = (await response.json()) as ErrorShape;
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  const code = typeof body.error?.code === "string" ? body.error.code : `HTTP_${response.status}`;
  const message =
    typeof body.error?.message === "string"
      ? body.error.message
      : `the server answered ${response.status} ${response.statusText}`;
  return new ApiError(response.status, code, message, body.error?.details);
}

export interface RequestOptions {
  readonly method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly query?: Query;
  /** JSON-encoded unless a string or bytes (sent as they are, with `contentType`). */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/** One API call; resolves to the parsed JSON (undefined for 204). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { "X-Provisio-Request": "1", Accept: "application/json" };
  let body: string | Blob | ArrayBuffer | undefined;
  if (options.body !== undefined) {
    if (options.body instanceof Blob || options.body instanceof ArrayBuffer) {
      body = options.body;
      headers["Content-Type"] = options.contentType ?? "application/octet-stream";
    } else if (typeof options.body === "string") {
      body = options.body;
      headers["Content-Type"] = options.contentType ?? "text/plain";
    } else {
      body = JSON.stringify(options.body);
      headers["Content-Type"] = "application/json";
    }
  }
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method: options.method ?? "GET",
      headers,
      credentials: "same-origin",
      ...(body === undefined ? {} : { body }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "NETWORK", "the server cannot be reached; is it running?");
  }
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get("content-type") ?? "";
  return (type.includes("json") ? await response.json() : await response.text()) as T;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | null;
}
