// `sheets.NAME` of the config synced: the source read, the account's token from the store, the
// Sheets API at the configured root, the library's upsert. `jada sheets sync` and the job
// `sheets-sync:NAME` both run this.
import type { SyncSheetResult } from "@jada/google-token/sheets";
import { JadaCliError } from "../errors.js";
import type { Services } from "./services.js";
import { readSheetSource } from "./sheet-source.js";

/** Syncs the configured sheet `name`. @throws {JadaCliError} `USAGE` for an unknown name. */
export async function syncConfiguredSheet(
  services: Services,
  name: string,
  options: { dryRun?: boolean | undefined; env: Readonly<Record<string, string | undefined>> },
): Promise<SyncSheetResult> {
  const sheet = services.config.sheets[name];
  if (sheet === undefined) {
    const known = Object.keys(services.config.sheets);
    throw new JadaCliError(
      "USAGE",
      `unknown sheet "${name}": ${known.length > 0 ? `configured sheets are ${known.join(", ")}` : "no sheets in the configuration (sheets.NAME)"}`,
    );
  }
  // The source first: an unreadable source costs no Google request.
  const rows = await readSheetSource(sheet.source, { base: services.base, env: options.env });
  const [google, { createSheetsApi, syncSheet }] = await Promise.all([
    services.google(),
    import("@jada/google-token/sheets"),
  ]);
  const api = createSheetsApi({
    auth: await google.manager.authClient(sheet.account),
    account: sheet.account,
    rootUrl: google.config.oauth.sheetsUrl,
    maxRequests: sheet.maxRequests,
    refresh: () => google.manager.refresh(sheet.account),
  });
  return syncSheet({
    api,
    spreadsheetId: sheet.spreadsheetId,
    sheet: sheet.sheet,
    columns: sheet.columns,
    key: sheet.key,
    rows,
    deleteMissing: sheet.deleteMissing,
    dryRun: options.dryRun,
  });
}
