// What a sync must write, decided from one read of the sheet and the source's rows: pure, so
// every rule (unchanged rows untouched, keys matched wherever a person moved them, duplicates
// refused) is tested without a network.
import { GoogleTokenError } from "../errors.js";

/** A source row: column name to value (numbers and booleans written as their text). */
export type SourceRow = Readonly<Record<string, unknown>>;

/** What {@link planSync} decides. */
export interface SyncPlan {
  /** Whether the sheet is empty and gets the header row first. */
  writeHeader: boolean;
  /** Rows whose cells differ: their 1-based sheet row and the new cells. */
  updates: Array<{ row: number; key: string; cells: string[] }>;
  /** Rows whose key the sheet does not have, in source order. */
  appends: Array<{ key: string; cells: string[] }>;
  /** Keys the sheet has and the source no longer does, with their 1-based rows. */
  missing: Array<{ row: number; key: string }>;
  /** Rows already equal to the source. */
  unchanged: number;
}

/** Inputs of {@link planSync}. */
export interface PlanInput {
  /** Column names in sheet order; the header row holds them. */
  columns: readonly string[];
  /** The column whose value identifies a row. */
  key: string;
  /** The source's rows. */
  rows: readonly SourceRow[];
  /** The sheet's values as read (row 1 the header), trailing empty cells omitted as Google does. */
  sheet: readonly (readonly unknown[])[];
}

/**
 * Plans a sync by key.
 *
 * @throws {GoogleTokenError} `SYNC_INVALID` for a key not among the columns, a header that is
 *   not the configured columns, a source row without a key, or duplicate keys (named).
 */
export function planSync(input: PlanInput): SyncPlan {
  const { columns, key } = input;
  const keyIndex = columns.indexOf(key);
  if (keyIndex < 0)
    throw invalid(`the key column "${key}" is not one of the columns (${columns.join(", ")})`);
  const [header = [], ...body] = input.sheet;
  const writeHeader = input.sheet.length === 0 || header.every((cell) => cellText(cell) === "");
  if (!writeHeader) {
    const found = pad(header, columns.length).slice(0, columns.length);
    if (found.some((cell, index) => cell !== columns[index]))
      throw invalid(
        `the sheet's header is "${found.join(", ")}"; the config's columns are "${columns.join(", ")}": make them the same (jada does not move columns)`,
      );
  }

  const sheetRows = new Map<string, { row: number; cells: string[] }>();
  const sheetDuplicates = new Set<string>();
  body.forEach((values, index) => {
    const cells = pad(values, columns.length);
    const value = cells[keyIndex] ?? "";
    if (value === "") return; // a blank row (or a person's note) is not a keyed row
    if (sheetRows.has(value)) sheetDuplicates.add(value);
    sheetRows.set(value, { row: index + 2, cells });
  });
  if (sheetDuplicates.size > 0)
    throw invalid(
      `the sheet has duplicate ${key} values: ${[...sheetDuplicates].slice(0, 10).join(", ")}`,
    );

  const seen = new Set<string>();
  const duplicates = new Set<string>();
  const plan: SyncPlan = { writeHeader, updates: [], appends: [], missing: [], unchanged: 0 };
  input.rows.forEach((row, index) => {
    const cells = columns.map((column) => cellText(row[column]));
    const value = cells[keyIndex] ?? "";
    if (value === "") throw invalid(`source row ${index + 1} has no ${key}`);
    if (seen.has(value)) {
      duplicates.add(value);
      return;
    }
    seen.add(value);
    const existing = sheetRows.get(value);
    if (existing === undefined) plan.appends.push({ key: value, cells });
    else if (existing.cells.slice(0, columns.length).some((cell, i) => cell !== cells[i]))
      plan.updates.push({ row: existing.row, key: value, cells });
    else plan.unchanged++;
  });
  if (duplicates.size > 0)
    throw invalid(
      `the source has duplicate ${key} values: ${[...duplicates].slice(0, 10).join(", ")}`,
    );
  for (const [value, { row }] of sheetRows)
    if (!seen.has(value)) plan.missing.push({ row, key: value });
  plan.missing.sort((a, b) => a.row - b.row);
  return plan;
}

/** A value as the sheet shows it (written RAW, read formatted: text either way). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function pad(values: readonly unknown[], length: number): string[] {
  const cells = values.map(cellText);
  while (cells.length < length) cells.push("");
  return cells;
}

function invalid(message: string): GoogleTokenError {
  return new GoogleTokenError("SYNC_INVALID", message);
}
