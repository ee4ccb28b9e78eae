// sheets-sync:NAME: the booking sheet kept in step every 30 minutes (sheets.NAME.schedule). A
// revoked token, a sheet nobody shared, a malformed export alert at once with the fix; Google's
// or the source's bad minute is retried by the rules first.
import { JobError, type JobSpec } from "@jada/orchestrator";
import type { JobsContext } from "../compose/jobs.js";
import { SheetSourceError } from "../compose/sheet-source.js";
import { syncConfiguredSheet } from "../compose/sheet-sync.js";
import { renderErrorFix } from "../render/fixes.js";

// Google's answers that a later run may not get.
const RETRYABLE = new Set(["TRANSIENT", "API_FAILED", "REQUEST_BUDGET"]);

/** The spec of `sheets-sync:NAME`. */
export function sheetsSync(context: JobsContext, name: string): JobSpec {
  const sheet = context.services.config.sheets[name];
  return {
    name: `sheets-sync:${name}`,
    schedule: sheet?.schedule ?? "30m",
    missed: "once",
    async run({ logger }) {
      try {
        const result = await syncConfiguredSheet(context.services, name, { env: process.env });
        logger.info(
          { ...result, name, missing: result.missing.length },
          `sheet ${name}: ${result.updated} updated, ${result.appended} added, ${result.unchanged} unchanged${result.missing.length ? `, ${result.missing.length} gone from the source${result.deleted ? " (deleted)" : ""}` : ""}; ${result.requests} requests`,
        );
      } catch (error) {
        throw asJobError(error, name, sheet?.spreadsheetId, sheet?.account);
      }
    },
  };
}

function asJobError(
  error: unknown,
  name: string,
  spreadsheetId: string | undefined,
  account: string | undefined,
): unknown {
  if (!(error instanceof Error)) return error;
  if (error instanceof SheetSourceError) {
    const retryable = error.code === "SOURCE_UNREACHABLE";
    return new JobError(`sheet ${name}: ${error.message}`, {
      code: error.code,
      retryable,
      fix: retryable ? undefined : `fix the export, then: jada sheets sync ${name} --dry-run`,
      cause: error,
    });
  }
  if (error.name !== "GoogleTokenError") return error;
  const code = (error as { code?: string }).code ?? "GOOGLE_FAILED";
  const fix =
    code === "PERMISSION_DENIED"
      ? `share spreadsheet ${spreadsheetId} with ${account} as an editor, then: jada jobs run sheets-sync:${name}`
      : code === "SYNC_INVALID" || code === "SHEET_NOT_FOUND"
        ? `fix sheets.${name} in jada.config.json (or the sheet), then: jada sheets sync ${name} --dry-run`
        : renderErrorFix(error as Parameters<typeof renderErrorFix>[0]);
  return new JobError(`sheet ${name}: ${error.message}`, {
    code,
    fix,
    retryable: RETRYABLE.has(code),
    cause: error,
  });
}
