import type { JournalEntry } from "../types.js";

/** Parsed `journalctl -o json` output: the entries, and how many lines were not entries. */
export interface ParsedJournal {
  entries: JournalEntry[];
  /** Lines that were not JSON objects with a timestamp (truncated, garbage). Reported, never guessed. */
  malformed: number;
}

/**
 * Parses `journalctl -o json` (one JSON object per line). `MESSAGE` may be a string or, for
 * non-UTF-8 messages, an array of bytes; timestamps are microseconds as strings. Lines that do
 * not parse are counted, not fatal: a truncated export still yields its good lines.
 */
export function parseJournal(text: string): ParsedJournal {
  const entries: JournalEntry[] = [];
  let malformed = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let record: Record<string, unknown>;
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new Error("not an object");
      record = value as Record<string, unknown>;
    } catch {
      malformed++;
      continue;
    }
    const micros = Number(record["__REALTIME_TIMESTAMP"]);
    if (!Number.isFinite(micros)) {
      malformed++;
      continue;
    }
    entries.push({
      time: Math.floor(micros / 1000),
      message: messageOf(record["MESSAGE"]),
      priority: optionalNumber(record["PRIORITY"]),
      identifier: optionalString(record["SYSLOG_IDENTIFIER"]) ?? optionalString(record["_COMM"]),
      pid: optionalNumber(record["_PID"]),
    });
  }
  entries.sort((a, b) => a.time - b.time);
  return { entries, malformed };
}

function messageOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((byte) => typeof byte === "number")) {
    return Buffer.from(value as number[]).toString("utf8");
  }
  return value === undefined || value === null ? "" : String(value);
}

function optionalNumber(value: unknown): number | undefined {
  const number =
    typeof value === "string" || typeof value === "number" ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
