/**
 * A streaming CSV reader (RFC 4180: comma separated, `"` quoting with `""` escapes, quoted
 * fields may span lines; CRLF or LF; a UTF-8 BOM is skipped). Records carry the file line they
 * start on, so errors can name it.
 */
import { StringDecoder } from "node:string_decoder";
import { apiError } from "./errors.ts";

export interface CsvRecord {
  /** 1-based line the record starts on. */
  readonly line: number;
  readonly fields: string[];
}

export interface CsvOptions {
  /** Longest field accepted (default 4,096 characters). */
  readonly maxFieldLength?: number;
}

/**
 * Text of the chunks, bytes decoded across chunk boundaries (a chunk may end inside a UTF-8
 * sequence); a sequence cut off at the very end becomes U+FFFD rather than vanishing.
 */
async function* decodeChunks(
  chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  for await (const chunk of chunks) {
    const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

/** Yields the records of CSV text arriving in chunks. Blank lines are skipped. */
export async function* readCsv(
  chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
  options: CsvOptions = {},
): AsyncGenerator<CsvRecord> {
  const maxField = options.maxFieldLength ?? 4096;
  let fields: string[] = [];
  let field = "";
  let quoted = false; // inside quotes
  let afterQuote = false; // just closed a quoted field
  let pendingQuote = false; // saw `"` inside quotes, waiting to know if it is `""`
  let line = 1;
  let recordLine = 1;
  let first = true;
  let sawCr = false;
  let hasContent = false; // the current record has content

  const finishRecord = (): CsvRecord | undefined => {
    fields.push(field);
    const record = { line: recordLine, fields };
    const blank = !hasContent && fields.length === 1 && field === "";
    fields = [];
    field = "";
    afterQuote = false;
    hasContent = false;
    return blank ? undefined : record;
  };

  for await (let text of decodeChunks(chunks)) {
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (pendingQuote) {
        pendingQuote = false;
        if (c === '"') {
          field += '"';
          continue;
        }
        quoted = false;
        afterQuote = true;
      }
      if (quoted) {
        if (c === '"') {
          pendingQuote = true;
        } else {
          if (c === "\n") line++;
          field += c;
          if (field.length > maxField) {
            throw apiError(
              "API_CSV_INVALID",
              `line ${recordLine}: field longer than ${maxField} characters`,
              { line: recordLine },
            );
          }
        }
        continue;
      }
      if (c === "\r") {
        sawCr = true;
        continue;
      }
      if (c === "\n") {
        sawCr = false;
        const record = finishRecord();
        line++;
        recordLine = line;
        if (record !== undefined) yield record;
        continue;
      }
      if (sawCr) {
        // A lone CR inside a line: keep it as data.
        sawCr = false;
        field += "\r";
      }
      if (c === ",") {
        fields.push(field);
        field = "";
        afterQuote = false;
        hasContent = true;
        continue;
      }
      if (afterQuote) {
        throw apiError("API_CSV_INVALID", `line ${line}: text after a closing quote`, { line });
      }
      if (c === '"') {
        if (field !== "") {
          throw apiError("API_CSV_INVALID", `line ${line}: quote inside an unquoted field`, {
            line,
          });
        }
        quoted = true;
        hasContent = true;
        continue;
      }
      field += c;
      hasContent = true;
      if (field.length > maxField) {
        throw apiError(
          "API_CSV_INVALID",
          `line ${line}: field longer than ${maxField} characters`,
          { line },
        );
      }
    }
  }
  if (pendingQuote) {
    quoted = false;
    afterQuote = true;
  }
  if (quoted) {
    throw apiError("API_CSV_INVALID", `line ${recordLine}: quoted field not closed`, {
      line: recordLine,
    });
  }
  const record = finishRecord();
  if (record !== undefined) yield record;
}
