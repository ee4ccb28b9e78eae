// The Sheets API as the sync needs it (a port), and its adapter on `@googleapis/sheets` with the
// token manager's auth client: every request counted against a budget, 429 and 5xx retried
// with backoff honouring Retry-After, Google's errors classified (which spreadsheet, which tab,
// which account lacks access). A revoked token surfaces as the manager's `INVALID_GRANT`.
import type { OAuth2Client } from "google-auth-library";
import { GoogleTokenError, isGoogleTokenError } from "../errors.js";

/** What the sync asks of the Sheets API. */
export interface SheetsApi {
  /** Requests made so far, retries included. */
  readonly requests: number;
  /** `values.get`: the range's values as shown (formatted), rows major. */
  read(spreadsheetId: string, range: string): Promise<string[][]>;
  /** `values.batchUpdate` of several ranges at once, values written as given (RAW). */
  writeRanges(
    spreadsheetId: string,
    data: Array<{ range: string; values: string[][] }>,
  ): Promise<void>;
  /** `values.append` after the table in `range`, as new rows (RAW, INSERT_ROWS). */
  append(spreadsheetId: string, range: string, values: string[][]): Promise<void>;
  /** The numeric id of the tab named `title` (`spreadsheets.get`). */
  sheetId(spreadsheetId: string, title: string): Promise<number>;
  /** Deletes whole rows (1-based) of a tab, in one `spreadsheets.batchUpdate`. */
  deleteRows(spreadsheetId: string, sheetId: number, rows: number[]): Promise<void>;
}

/** Options of {@link createSheetsApi}. */
export interface SheetsApiOptions {
  /** The account's auth client (`TokenManager.authClient(account)`). */
  auth: OAuth2Client;
  /** The account, for the messages. */
  account: string;
  /**
   * Refreshes the account's token for real (`() => manager.refresh(account)`): called once when
   * Google refuses the access token (401), as after a revocation. A revoked refresh token then
   * fails there, as `INVALID_GRANT`.
   */
  refresh?: (() => Promise<unknown>) | undefined;
  /** Google's API root (default `https://sheets.googleapis.com/`): a loopback one in tests. */
  rootUrl?: string | undefined;
  /** At most this many requests, retries included (default 20): Google allows 60 a minute. */
  maxRequests?: number | undefined;
  /** Retries of a 429 or 5xx (default 4). */
  retries?: number | undefined;
  /** Waits (injectable for tests; default setTimeout). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** The Sheets API through `@googleapis/sheets` (loaded on first use). */
export function createSheetsApi(options: SheetsApiOptions): SheetsApi {
  const maxRequests = options.maxRequests ?? 20;
  const retries = options.retries ?? 4;
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  let requests = 0;
  let client: Promise<import("@googleapis/sheets").sheets_v4.Sheets> | undefined;
  const sheets = () => {
    client ??= import("@googleapis/sheets").then(({ sheets }) =>
      sheets({ version: "v4", auth: options.auth, rootUrl: options.rootUrl }),
    );
    return client;
  };
  // Our retries, not gaxios': each one counted, and Retry-After honoured.
  const call = async <T>(
    spreadsheetId: string,
    what: string,
    request: (api: import("@googleapis/sheets").sheets_v4.Sheets) => Promise<T>,
  ): Promise<T> => {
    const api = await sheets();
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      if (requests >= maxRequests)
        throw new GoogleTokenError(
          "REQUEST_BUDGET",
          `${what} of spreadsheet ${spreadsheetId} would pass the budget of ${maxRequests} requests (Google allows 60 a minute)`,
        );
      requests++;
      try {
        return await request(api);
      } catch (error) {
        if (isGoogleTokenError(error)) throw error;
        const status = statusOf(error);
        if (status === 401 && options.refresh && !refreshed) {
          refreshed = true;
          await options.refresh();
          // The client asks the manager again on its next request.
          options.auth.setCredentials({});
          continue;
        }
        if ((status === 429 || status >= 500) && attempt < retries) {
          await sleep(retryDelay(error, attempt));
          continue;
        }
        throw classify(error, status, spreadsheetId, what, options.account);
      }
    }
  };
  const noRetry = { retry: false } as const;
  return {
    get requests() {
      return requests;
    },
    async read(spreadsheetId, range) {
      const response = await call(spreadsheetId, `reading ${range}`, (api) =>
        api.spreadsheets.values.get(
          { spreadsheetId, range, majorDimension: "ROWS", valueRenderOption: "FORMATTED_VALUE" },
          noRetry,
        ),
      );
      return (response.data.values ?? []) as string[][];
    },
    async writeRanges(spreadsheetId, data) {
      await call(spreadsheetId, `updating ${data.length} rows`, (api) =>
        api.spreadsheets.values.batchUpdate(
          { spreadsheetId, requestBody: { valueInputOption: "RAW", data } },
          noRetry,
        ),
      );
    },
    async append(spreadsheetId, range, values) {
      await call(spreadsheetId, `appending ${values.length} rows`, (api) =>
        api.spreadsheets.values.append(
          {
            spreadsheetId,
            range,
            valueInputOption: "RAW",
            insertDataOption: "INSERT_ROWS",
            requestBody: { values },
          },
          noRetry,
        ),
      );
    },
    async sheetId(spreadsheetId, title) {
      const response = await call(spreadsheetId, "reading its tabs", (api) =>
        api.spreadsheets.get({ spreadsheetId, fields: "sheets.properties" }, noRetry),
      );
      const found = response.data.sheets?.find((sheet) => sheet.properties?.title === title);
      const id = found?.properties?.sheetId;
      if (id === undefined || id === null)
        throw new GoogleTokenError(
          "SHEET_NOT_FOUND",
          `spreadsheet ${spreadsheetId} has no tab "${title}"`,
        );
      return id;
    },
    async deleteRows(spreadsheetId, sheetId, rows) {
      // From the bottom up, so each index still means the row it meant.
      const requests = [...rows]
        .sort((a, b) => b - a)
        .map((row) => ({
          deleteDimension: {
            range: { sheetId, dimension: "ROWS", startIndex: row - 1, endIndex: row },
          },
        }));
      await call(spreadsheetId, `deleting ${rows.length} rows`, (api) =>
        api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests } }, noRetry),
      );
    },
  };
}

interface ApiError {
  status?: number;
  code?: number | string;
  response?: {
    status?: number;
    headers?: Record<string, string> | { get?: (name: string) => string | null };
    data?: { error?: { message?: string; status?: string } };
  };
}

function statusOf(error: unknown): number {
  const e = error as ApiError;
  return e.response?.status ?? e.status ?? (typeof e.code === "number" ? e.code : 0);
}

// Retry-After in seconds when Google sends it; else 1 s, 2 s, 4 s… with jitter.
function retryDelay(error: unknown, attempt: number): number {
  const headers = (error as ApiError).response?.headers;
  const value =
    typeof (headers as { get?: unknown })?.get === "function"
      ? (headers as { get: (name: string) => string | null }).get("retry-after")
      : (headers as Record<string, string> | undefined)?.["retry-after"];
  const seconds = Number(value);
  if (value !== undefined && value !== null && Number.isFinite(seconds) && seconds >= 0)
    return seconds * 1000;
  return 2 ** attempt * 1000 * (0.5 + Math.random() / 2);
}

function classify(
  error: unknown,
  status: number,
  spreadsheetId: string,
  what: string,
  account: string,
): GoogleTokenError {
  const google = (error as ApiError).response?.data?.error;
  const said = google?.message ?? (error as Error).message ?? String(error);
  if (status === 404)
    return new GoogleTokenError(
      "SHEET_NOT_FOUND",
      `spreadsheet ${spreadsheetId} was not found (check spreadsheetId): ${said}`,
      { cause: error, account },
    );
  if (status === 400 && /Unable to parse range/i.test(said))
    return new GoogleTokenError(
      "SHEET_NOT_FOUND",
      `spreadsheet ${spreadsheetId} has no such tab (${said}): check sheet`,
      { cause: error, account },
    );
  if (status === 403)
    return new GoogleTokenError(
      "PERMISSION_DENIED",
      `${account} cannot ${what.startsWith("reading") ? "read" : "write"} spreadsheet ${spreadsheetId}: share it with ${account} (as an editor), or sync with an account that has access (${said})`,
      { cause: error, account },
    );
  if (status === 429 || status >= 500)
    return new GoogleTokenError(
      "TRANSIENT",
      `${what} of spreadsheet ${spreadsheetId}: Google answered ${status} after the retries (${said})`,
      { cause: error, account },
    );
  return new GoogleTokenError(
    "API_FAILED",
    `${what} of spreadsheet ${spreadsheetId} failed${status ? ` (${status})` : ""}: ${said}`,
    { cause: error, account },
  );
}
