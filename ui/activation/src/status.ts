/** The server's answer about one code (src/server/activation_status.ts). */
export interface CodeStatus {
  readonly state: "unknown" | "waiting" | "bound" | "expired";
  readonly brand?: {
    readonly name: string;
    readonly accent: string | null;
    readonly logoText: string | null;
  };
  readonly initUrl?: string;
}

export class StatusError extends Error {}

function isStatus(value: unknown): value is CodeStatus {
  if (typeof value !== "object" || value === null) return false;
  const state = (value as { state?: unknown }).state;
  return state === "unknown" || state === "waiting" || state === "bound" || state === "expired";
}

/** Asks the server how `code` stands; throws a StatusError with a message to show. */
export async function fetchStatus(code: string): Promise<CodeStatus> {
  let response: Response;
  try {
    response = await fetch("/activate/status", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code }),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new StatusError("The server cannot be reached. Check your Internet connection.");
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok && isStatus(body)) return body;
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  throw new StatusError(
    typeof message === "string"
      ? `${message.charAt(0).toUpperCase()}${message.slice(1)}.`
      : `The server answered ${response.status}. Please try again.`,
  );
}
