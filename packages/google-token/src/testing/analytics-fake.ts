// GA4's Data API (v1beta `runReport`) of the loopback Google: properties with their viewers and
// their event rows; a report aggregates the rows by the requested dimensions over the date range,
// as GA4 does, and answers in its shape (headers, rows of values as text, rowCount,
// propertyQuota), with its errors: 403 for a property the account cannot see (GA4 says the same
// for one that does not exist), 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT, 400 for an unknown field.
import type { IncomingMessage, ServerResponse } from "node:http";
import { apiError, json, readBody } from "./http.js";

/** A GA4 property of the fake. */
export interface FakeProperty {
  /** Accounts with at least the Viewer role (default: every account). */
  viewers?: string[] | undefined;
  /** Rows of dimension and metric values; `date` as GA4 writes it (`YYYYMMDD`). */
  rows: Array<Record<string, string | number>>;
  /** Tokens a day the property allows (default 200,000, as GA4 standard). */
  tokensPerDay?: number | undefined;
}

/** Controls of the GA4 fake. */
export interface AnalyticsControls {
  addProperty(id: string, property: FakeProperty): void;
  /** The next reports answer these statuses. */
  failNextReports(...statuses: Array<429 | 500 | 503>): void;
  /** Reports answered (failed ones included). */
  readonly reportCounts: { total: number };
}

const METRICS = new Set(["activeUsers", "sessions", "screenPageViews", "newUsers", "eventCount"]);
const DIMENSIONS = new Set(["date", "pagePath", "country", "sessionSource", "deviceCategory"]);
const SCOPE = "https://www.googleapis.com/auth/analytics.readonly";
const TOKENS_A_REPORT = 10;

/** The GA4 backend: `handle` answers a runReport it owns and says whether it did. */
export function createAnalyticsBackend() {
  const properties = new Map<string, FakeProperty & { used: number }>();
  const failures: number[] = [];
  const reportCounts = { total: 0 };
  const controls: AnalyticsControls = {
    addProperty(id, property) {
      properties.set(id, { ...property, used: 0 });
    },
    failNextReports(...statuses) {
      failures.push(...statuses);
    },
    reportCounts,
  };
  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    email: string,
    scope: string | undefined,
  ): Promise<boolean> {
    const match = /^\/v1beta\/properties\/(\d+):runReport$/.exec(url.pathname);
    if (!match || request.method !== "POST") return false;
    reportCounts.total++;
    const failure = failures.shift();
    if (failure !== undefined) {
      if (failure === 429) response.setHeader("retry-after", "0");
      apiError(
        response,
        failure,
        failure === 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE",
        "try later",
      );
      return true;
    }
    if (scope !== undefined && !scope.split(" ").includes(SCOPE)) {
      apiError(
        response,
        403,
        "PERMISSION_DENIED",
        "Request had insufficient authentication scopes.",
        "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
      );
      return true;
    }
    const property = properties.get(match[1] as string);
    if (property === undefined || (property.viewers && !property.viewers.includes(email))) {
      apiError(
        response,
        403,
        "PERMISSION_DENIED",
        "User does not have sufficient permissions for this property. To learn more about Property ID, see https://developers.google.com/analytics/devguides/reporting/data/v1/property-id.",
      );
      return true;
    }
    const body = JSON.parse((await readBody(request)) || "{}") as {
      metrics?: Array<{ name: string }>;
      dimensions?: Array<{ name: string }>;
      dateRanges?: Array<{ startDate: string; endDate: string }>;
      limit?: string;
      returnPropertyQuota?: boolean;
    };
    const metrics = (body.metrics ?? []).map((metric) => metric.name);
    const dimensions = (body.dimensions ?? []).map((dimension) => dimension.name);
    const unknown =
      metrics.find((name) => !METRICS.has(name)) ??
      dimensions.find((name) => !DIMENSIONS.has(name));
    if (metrics.length === 0 || unknown !== undefined) {
      apiError(
        response,
        400,
        "INVALID_ARGUMENT",
        unknown === undefined
          ? "At least one metric is required."
          : `Field ${unknown} is not a valid ${METRICS.has(unknown) || !dimensions.includes(unknown) ? "metric" : "dimension"}. For a list of valid dimensions and metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema`,
      );
      return true;
    }
    const range = body.dateRanges?.[0] ?? { startDate: "28daysAgo", endDate: "today" };
    const [from, to] = [gaDate(range.startDate), gaDate(range.endDate)];
    const groups = new Map<string, { keys: string[]; sums: number[] }>();
    for (const row of property.rows) {
      const date = String(row["date"] ?? "");
      if (date && (date < from || date > to)) continue;
      const keys = dimensions.map((name) => String(row[name] ?? "(not set)"));
      const id = JSON.stringify(keys);
      const group = groups.get(id) ?? { keys, sums: metrics.map(() => 0) };
      metrics.forEach((name, i) => {
        group.sums[i] = (group.sums[i] ?? 0) + Number(row[name] ?? 0);
      });
      groups.set(id, group);
    }
    const all = [...groups.values()].sort((a, b) => (b.sums[0] ?? 0) - (a.sums[0] ?? 0));
    const limited = body.limit ? all.slice(0, Number(body.limit)) : all;
    property.used += TOKENS_A_REPORT;
    const perDay = property.tokensPerDay ?? 200_000;
    json(response, 200, {
      dimensionHeaders: dimensions.map((name) => ({ name })),
      metricHeaders: metrics.map((name) => ({ name, type: "TYPE_INTEGER" })),
      ...(limited.length
        ? {
            rows: limited.map((group) => ({
              dimensionValues: group.keys.map((value) => ({ value })),
              metricValues: group.sums.map((value) => ({ value: String(value) })),
            })),
          }
        : {}),
      rowCount: all.length,
      ...(body.returnPropertyQuota
        ? {
            propertyQuota: {
              tokensPerDay: { consumed: property.used, remaining: perDay - property.used },
              tokensPerHour: { consumed: TOKENS_A_REPORT, remaining: perDay / 5 - property.used },
              concurrentRequests: { consumed: 0, remaining: 10 },
            },
          }
        : {}),
      metadata: { currencyCode: "USD", timeZone: "America/Los_Angeles" },
      kind: "analyticsData#runReport",
    });
    return true;
  }
  return { handle, controls };
}

// GA4's date forms as YYYYMMDD (UTC days).
function gaDate(text: string): string {
  const day = (offset: number) => {
    const date = new Date(Date.now() - offset * 86_400_000);
    return date.toISOString().slice(0, 10).replace(/-/g, "");
  };
  if (text === "today") return day(0);
  if (text === "yesterday") return day(1);
  const ago = /^(\d+)daysAgo$/.exec(text);
  if (ago) return day(Number(ago[1]));
  return text.replace(/-/g, "");
}
