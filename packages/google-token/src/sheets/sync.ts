// The booking-sheet sync: one read, then at most one batch of updates and one append (and, only
// when asked, one delete of the rows the source no longer has). A second run with the same
// source reads and writes nothing. A failed run leaves nothing a re-run would duplicate: rows are
// matched by key on every run, so an append that landed is an existing row the next time.
import type { SheetsApi } from "./api.js";
import { planSync, type SourceRow, type SyncPlan } from "./plan.js";

/** What to sync where. */
export interface SyncSheetOptions {
  api: SheetsApi;
  spreadsheetId: string;
  /** The tab's name. */
  sheet: string;
  columns: readonly string[];
  key: string;
  rows: readonly SourceRow[];
  /** Remove the sheet's rows whose key the source no longer has (default: only report them). */
  deleteMissing?: boolean | undefined;
  /** Plan only: read, and say what would be written. */
  dryRun?: boolean | undefined;
}

/** What a sync did (or, with `dryRun`, would do). */
export interface SyncSheetResult {
  spreadsheetId: string;
  sheet: string;
  dryRun: boolean;
  /** Keyed rows found in the sheet. */
  read: number;
  updated: number;
  appended: number;
  deleted: number;
  unchanged: number;
  /** Keys the sheet has and the source does not (deleted when `deleteMissing`). */
  missing: string[];
  /** Cells written (the header included). */
  cellsWritten: number;
  /** Requests made to the Sheets API, retries included. */
  requests: number;
}

/** Syncs the source's rows into the sheet by key. */
export async function syncSheet(options: SyncSheetOptions): Promise<SyncSheetResult> {
  const { api, spreadsheetId, sheet, columns } = options;
  const before = api.requests;
  const lastColumn = columnName(columns.length);
  const values = await api.read(spreadsheetId, `${quoteSheet(sheet)}!A1:${lastColumn}`);
  const plan: SyncPlan = planSync({ columns, key: options.key, rows: options.rows, sheet: values });
  const deleting = options.deleteMissing ? plan.missing : [];
  const width = columns.length;
  const cellsWritten =
    (plan.updates.length + plan.appends.length + (plan.writeHeader ? 1 : 0)) * width;
  if (!options.dryRun) {
    if (plan.updates.length > 0)
      await api.writeRanges(
        spreadsheetId,
        plan.updates.map((update) => ({
          range: `${quoteSheet(sheet)}!A${update.row}:${lastColumn}${update.row}`,
          values: [update.cells],
        })),
      );
    const appended = [
      ...(plan.writeHeader ? [[...columns]] : []),
      ...plan.appends.map((append) => append.cells),
    ];
    if (appended.length > 0)
      await api.append(spreadsheetId, `${quoteSheet(sheet)}!A1:${lastColumn}`, appended);
    if (deleting.length > 0)
      await api.deleteRows(
        spreadsheetId,
        await api.sheetId(spreadsheetId, sheet),
        deleting.map((missing) => missing.row),
      );
  }
  return {
    spreadsheetId,
    sheet,
    dryRun: options.dryRun === true,
    read: plan.updates.length + plan.unchanged + plan.missing.length,
    updated: plan.updates.length,
    appended: plan.appends.length,
    deleted: options.dryRun ? 0 : deleting.length,
    unchanged: plan.unchanged,
    missing: plan.missing.map((missing) => missing.key),
    cellsWritten: options.dryRun ? 0 : cellsWritten,
    requests: api.requests - before,
  };
}

/** A1 column name of a 1-based index (1 → A, 27 → AA). */
export function columnName(index: number): string {
  let name = "";
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** A tab name as A1 notation wants it: in single quotes, quotes doubled. */
export function quoteSheet(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}
