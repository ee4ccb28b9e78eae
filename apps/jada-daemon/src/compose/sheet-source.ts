// The rows a sheet sync writes, from where `sheets.NAME.source` says: a URL answering JSON, a
// JSON or CSV file, or a program printing JSON. Every failure names the source, and for bad data
// the row and the field; nothing is written when the source cannot be read whole.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { JadaConfig } from "../config/schema.js";
import { headersFromEnv } from "./env-headers.js";

/**
 * A source that could not be read: `SOURCE_UNREACHABLE` (it may answer later: a network error,
 * a 429 or 5xx, a failing command) or `SOURCE_INVALID` (a missing file, data that is not rows:
 * a person must fix the export).
 */
export class SheetSourceError extends Error {
  override readonly name = "SheetSourceError";
  readonly code: "SOURCE_UNREACHABLE" | "SOURCE_INVALID";
  constructor(message: string, options: { retryable?: boolean } = {}) {
    super(message);
    this.code = options.retryable ? "SOURCE_UNREACHABLE" : "SOURCE_INVALID";
  }
}

type Source = JadaConfig["sheets"][string]["source"];
type Row = Record<string, unknown>;

/** The source's rows. @throws {SheetSourceError} */
export async function readSheetSource(
  source: Source,
  context: { base: string; env: Readonly<Record<string, string | undefined>> },
): Promise<Row[]> {
  if ("url" in source) return rowsOf(await fetchJson(source, context.env), source.url);
  if ("file" in source) {
    const path = resolve(context.base, source.file);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new SheetSourceError(
        `cannot read the source file ${path}: ${code === "ENOENT" ? "no such file" : code}`,
      );
    }
    if (path.toLowerCase().endsWith(".csv")) return parseCsv(text, path);
    return rowsOf(parseJson(text, path), path);
  }
  return rowsOf(await runCommand(source, context), `the command "${source.command}"`);
}

async function fetchJson(
  source: Extract<Source, { url: string }>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<unknown> {
  let headers: Record<string, string>;
  try {
    headers = headersFromEnv(source.headers, env, "the source's headers");
  } catch (error) {
    throw new SheetSourceError((error as Error).message);
  }
  let response: Response;
  try {
    response = await fetch(source.url, {
      headers,
      signal: AbortSignal.timeout(source.timeoutSeconds * 1000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new SheetSourceError(
      `the source ${source.url} is unreachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      { retryable: true },
    );
  }
  const text = await response.text();
  if (!response.ok)
    throw new SheetSourceError(`the source ${source.url} answered ${response.status}`, {
      retryable: response.status === 429 || response.status >= 500,
    });
  return parseJson(text, source.url);
}

async function runCommand(
  source: Extract<Source, { command: string }>,
  context: { base: string; env: Readonly<Record<string, string | undefined>> },
): Promise<unknown> {
  const child = spawn("sh", ["-c", source.command], {
    cwd: context.base,
    env: { ...context.env },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: source.timeoutSeconds * 1000,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((done) => {
    child.on("error", () => done(127));
    child.on("close", (exit) => done(exit));
  });
  if (code !== 0)
    throw new SheetSourceError(
      `the source command "${source.command}" ${code === null ? `ran past ${source.timeoutSeconds} s` : `exited ${code}`}${stderr.trim() ? `: ${stderr.trim().split("\n").slice(-2).join("; ")}` : ""}`,
      { retryable: true },
    );
  return parseJson(stdout, `the command "${source.command}"`);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SheetSourceError(`${where} is not JSON: ${(error as Error).message}`);
  }
}

// An array of objects whose values are text, numbers, booleans or empty; or {rows: [...]}.
function rowsOf(data: unknown, where: string): Row[] {
  const rows =
    Array.isArray(data) || data === null || typeof data !== "object"
      ? data
      : (data as { rows?: unknown }).rows;
  if (!Array.isArray(rows))
    throw new SheetSourceError(`${where} is not a list of rows (a JSON array, or {"rows": [...]})`);
  rows.forEach((row: unknown, index) => {
    if (row === null || typeof row !== "object" || Array.isArray(row))
      throw new SheetSourceError(`${where}: row ${index + 1} is not an object`);
    for (const [field, value] of Object.entries(row))
      if (value !== null && typeof value === "object")
        throw new SheetSourceError(
          `${where}: row ${index + 1}, field ${field} is ${Array.isArray(value) ? "a list" : "an object"}, not a cell`,
        );
  });
  return rows as Row[];
}

/** RFC 4180 CSV: a header row, quoted fields with "" for a quote, CRLF or LF. */
export function parseCsv(text: string, where: string): Row[] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  let line = 1;
  const body = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      line++;
    } else field += c;
  }
  if (quoted) throw new SheetSourceError(`${where}: a quoted field is not closed (line ${line})`);
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rest] = records.filter((r) => !(r.length === 1 && r[0] === ""));
  if (header === undefined) return [];
  return rest.map((cells, index) => {
    if (cells.length !== header.length)
      throw new SheetSourceError(
        `${where}: row ${index + 1} has ${cells.length} fields; the header has ${header.length}`,
      );
    return Object.fromEntries(header.map((name, column) => [name, cells[column]]));
  });
}
