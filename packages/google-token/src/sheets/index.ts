/**
 * `@jada/google-token/sheets`: a Google Sheet kept in step with a source of rows, through the
 * token store: an idempotent upsert by key (one read, at most one batch of updates and one
 * append; a second run writes nothing), Google's quotas respected, its errors classified.
 *
 * @example
 * ```ts
 * const api = createSheetsApi({ auth: await manager.authClient(account), account });
 * const result = await syncSheet({ api, spreadsheetId, sheet: "Bookings", columns, key: "id", rows });
 * ```
 *
 * @packageDocumentation
 */
export { createSheetsApi, type SheetsApi, type SheetsApiOptions } from "./api.js";
export { cellText, type PlanInput, planSync, type SourceRow, type SyncPlan } from "./plan.js";
export {
  columnName,
  quoteSheet,
  type SyncSheetOptions,
  type SyncSheetResult,
  syncSheet,
} from "./sync.js";
