// GA4 reports through the token store: the Data API's `runReport` over `fetch` with the
// manager's access token. Measured against `@googleapis/analyticsdata` (bench/README.md): the
// same call without 48 packages and about 10 MiB less resident memory, for one POST.
import { GoogleTokenError, isGoogleTokenError } from "../errors.js";

/** The scope a GA4 report needs. */
export const ANALYTICS_READONLY_SCOPE = "https://www.googleapis.com/auth/analytics.readonly";

/** What to report. */
export interface ReportRequest {
  /** The GA4 property id (`123456789`, or `properties/123456789`). */
  property: string;
  /** Metric names (`activeUsers`, `sessions`, …). */
  metrics: string[];
  /** Dimension names (`date`, `pagePath`, …). */
  dimensions?: string[] | undefined;
  /** Start date: `YYYY-MM-DD`, `today`, `yesterday` or `NdaysAgo` (default `28daysAgo`). */
  from?: string | undefined;
  /** End date, the same forms (default `today`). */
  to?: string | undefined;
  /** At most this many rows (default: Google's, 10,000). */
  limit?: number | undefined;
  /** Ask for the property's quota with the report. */
  quota?: boolean | undefined;
}

/** One quota of a property: used and left. */
export interface QuotaStatus {
  consumed: number;
  remaining: number;
}

/** A report: its rows as records by column name, values as GA4 gives them (text). */
export interface ReportResult {
  property: string;
  dimensions: string[];
  metrics: string[];
  rows: Array<Record<string, string>>;
  /** Rows the report has in all (the rows above may be fewer: `limit`). */
  rowCount: number;
  /** With `quota`: tokens per day and per hour, concurrent requests, … */
  quota?: Record<string, QuotaStatus> | undefined;
}

/** Options of {@link createAnalyticsApi}. */
export interface AnalyticsApiOptions {
  /** The account's access token (`() => manager.getAccessToken(account)`). */
  getAccessToken: () => Promise<string>;
  /** A real refresh, called once when Google refuses the token (401). */
  refresh?: (() => Promise<unknown>) | undefined;
  /** The account, for the messages and the fix. */
  account: string;
  /** The Data API's root (default `https://analyticsdata.googleapis.com/`). */
  rootUrl?: string | undefined;
  /** Retries of a 429 or 5xx (default 3). */
  retries?: number | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** GA4's Data API, as much as a report needs. */
export interface AnalyticsApi {
  runReport(request: ReportRequest): Promise<ReportResult>;
}

/** The Data API (v1beta) over `fetch`. */
export function createAnalyticsApi(options: AnalyticsApiOptions): AnalyticsApi {
  const root = (options.rootUrl ?? "https://analyticsdata.googleapis.com/").replace(/\/*$/, "/");
  const retries = options.retries ?? 3;
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const { account } = options;
  return {
    async runReport(request) {
      const property = request.property.replace(/^properties\//, "");
      if (!/^\d+$/.test(property))
        throw new GoogleTokenError(
          "INVALID_REQUEST",
          `a GA4 property id is a number (Admin > Property details), not "${request.property}"`,
        );
      const body = {
        metrics: request.metrics.map((name) => ({ name })),
        dimensions: (request.dimensions ?? []).map((name) => ({ name })),
        dateRanges: [{ startDate: request.from ?? "28daysAgo", endDate: request.to ?? "today" }],
        ...(request.limit !== undefined ? { limit: String(request.limit) } : {}),
        ...(request.quota ? { returnPropertyQuota: true } : {}),
      };
      const url = `${root}v1beta/properties/${property}:runReport`;
      let refreshed = false;
      for (let attempt = 0; ; attempt++) {
        let response: Response;
        try {
          response = await fetch(url, {
            method: "POST",
            headers: {
              authorization: `Bearer ${await options.getAccessToken()}`,
              "content-type": "application/json",
            },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(60_000),
          });
        } catch (error) {
          if (isGoogleTokenError(error)) throw error;
          if (attempt < retries) {
            await sleep(2 ** attempt * 1000);
            continue;
          }
          throw new GoogleTokenError(
            "TRANSIENT",
            `GA4 property ${property}: the Data API could not be reached: ${(error as Error).message}`,
            { cause: error, account },
          );
        }
        const data = (await response.json().catch(() => ({}))) as GoogleAnswer;
        if (response.ok) return resultOf(property, request, data);
        if (response.status === 401 && options.refresh && !refreshed) {
          refreshed = true;
          await options.refresh();
          continue;
        }
        if ((response.status === 429 || response.status >= 500) && attempt < retries) {
          const after = Number(response.headers.get("retry-after"));
          await sleep(Number.isFinite(after) && after >= 0 ? after * 1000 : 2 ** attempt * 1000);
          continue;
        }
        throw classify(response.status, data, property, account);
      }
    },
  };
}

interface GoogleAnswer {
  dimensionHeaders?: Array<{ name: string }>;
  metricHeaders?: Array<{ name: string }>;
  rows?: Array<{
    dimensionValues?: Array<{ value?: string }>;
    metricValues?: Array<{ value?: string }>;
  }>;
  rowCount?: number;
  propertyQuota?: Record<string, { consumed?: number; remaining?: number }>;
  error?: {
    message?: string;
    status?: string;
    details?: Array<{ reason?: string }>;
  };
}

function resultOf(property: string, request: ReportRequest, data: GoogleAnswer): ReportResult {
  const dimensions = (data.dimensionHeaders ?? []).map((header) => header.name);
  const metrics = (data.metricHeaders ?? []).map((header) => header.name);
  const rows = (data.rows ?? []).map((row) => {
    const record: Record<string, string> = {};
    dimensions.forEach((name, i) => {
      record[name] = row.dimensionValues?.[i]?.value ?? "";
    });
    metrics.forEach((name, i) => {
      record[name] = row.metricValues?.[i]?.value ?? "";
    });
    return record;
  });
  const quota = request.quota
    ? Object.fromEntries(
        Object.entries(data.propertyQuota ?? {}).map(([name, status]) => [
          name,
          { consumed: status.consumed ?? 0, remaining: status.remaining ?? 0 },
        ]),
      )
    : undefined;
  return { property, dimensions, metrics, rows, rowCount: data.rowCount ?? rows.length, quota };
}

function classify(
  status: number,
  data: GoogleAnswer,
  property: string,
  account: string,
): GoogleTokenError {
  const said = data.error?.message ?? `HTTP ${status}`;
  const reasons = (data.error?.details ?? []).map((detail) => detail.reason);
  if (status === 403 && reasons.includes("ACCESS_TOKEN_SCOPE_INSUFFICIENT"))
    return new GoogleTokenError(
      "INSUFFICIENT_SCOPE",
      `${account}'s token was not granted GA4 access (${ANALYTICS_READONLY_SCOPE}): consent again with that scope`,
      {
        account,
        remedy: { action: "reconsent", account, scopes: [ANALYTICS_READONLY_SCOPE] },
      },
    );
  if (status === 403)
    return new GoogleTokenError(
      "PERMISSION_DENIED",
      `${account} cannot see GA4 property ${property}: grant it the Viewer role (GA4 Admin > Property access management), or report with an account that has it (--account) (${said})`,
      { account },
    );
  if (status === 429 || status >= 500)
    return new GoogleTokenError(
      "TRANSIENT",
      `GA4 property ${property}: Google answered ${status} after the retries (${said})`,
      { account },
    );
  return new GoogleTokenError(
    status === 400 ? "INVALID_REQUEST" : "API_FAILED",
    `GA4 property ${property}: ${said}`,
    { account },
  );
}
