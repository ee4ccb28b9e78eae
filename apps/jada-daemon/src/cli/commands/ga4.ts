import type { ReportResult } from "@jada/google-token/analytics";
import type { Command } from "commander";
import { reconsentScopes } from "../../compose/consent-scopes.js";
import { JadaCliError } from "../../errors.js";
import { toCliError } from "../../render/errors.js";
import { renderJson, renderTable } from "../../render/table.js";
import type { CommandContext } from "../context.js";

interface ReportOptions {
  property?: string;
  account?: string;
  metrics: string;
  dimensions: string;
  from: string;
  to: string;
  limit?: string;
  quota?: boolean;
  json?: boolean;
  csv?: boolean;
}

const list = (text: string) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** Adds `jada ga4 report`. */
export function registerGa4Commands(program: Command, context: CommandContext): void {
  const ga4 = program.command("ga4").summary("GA4 reports through the token store");
  ga4
    .command("report")
    .summary("run a GA4 report (Data API runReport) for a property, as a table, JSON or CSV")
    .description(
      "Runs the Data API's runReport for a property of ga4.properties (by NAME) or --property, " +
        "as the property's account (else --account, else ga4.account, else the only stored " +
        "account), with the token from the store. The token needs the analytics.readonly scope: " +
        "jada auth google --account EMAIL --scopes " +
        "https://www.googleapis.com/auth/spreadsheets,https://www.googleapis.com/auth/analytics.readonly",
    )
    .argument("[name]", "a property of the config (ga4.properties.NAME)")
    .option("--property <id>", "the numeric GA4 property id (instead of, or over, NAME's)")
    .option("--account <email>", "the stored Google account that can see the property")
    .option("--metrics <list>", "metrics, comma-separated", "activeUsers,sessions")
    .option("--dimensions <list>", "dimensions, comma-separated ('' for none)", "date")
    .option("--from <date>", "start: YYYY-MM-DD, today, yesterday or NdaysAgo", "28daysAgo")
    .option("--to <date>", "end, the same forms", "today")
    .option("--limit <n>", "at most this many rows")
    .option("--quota", "also show the property's quota: tokens used and left today and this hour")
    .option("--json", "print the report as JSON")
    .option("--csv", "print the rows as CSV (a header row first)")
    .addHelpText(
      "after",
      `
Exit codes: 0 reported; 1 Google failed after the retries; 2 usage, configuration, a property
the account cannot see (which access to grant), a token without the scope (the fix), an
unknown metric or dimension.

Examples:
  jada ga4 report queen --quota
  jada ga4 report --property 412345678 --account analytics@sailjada.com --metrics activeUsers,sessions --dimensions date,pagePath --from 7daysAgo --csv`,
    )
    .action(async (name: string | undefined, options: ReportOptions) => {
      context.exit(await runReport(name, options, context));
    });
}

async function runReport(
  name: string | undefined,
  options: ReportOptions,
  context: CommandContext,
): Promise<number> {
  const { io } = context;
  if (options.json && options.csv)
    throw new JadaCliError("USAGE", "--json and --csv exclude each other");
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new JadaCliError("USAGE", `--limit is a whole number of rows, not "${options.limit}"`);
  const metrics = list(options.metrics);
  if (metrics.length === 0) throw new JadaCliError("USAGE", "--metrics names at least one metric");
  const services = await context.services();
  const ga4 = services.config.ga4;
  const configured = name === undefined ? undefined : ga4.properties[name];
  if (name !== undefined && configured === undefined) {
    const known = Object.keys(ga4.properties);
    throw new JadaCliError(
      "USAGE",
      `unknown GA4 property "${name}": ${known.length ? `configured properties are ${known.join(", ")}` : "no ga4.properties in the configuration"}`,
    );
  }
  const property = options.property ?? configured?.property;
  if (property === undefined)
    throw new JadaCliError("USAGE", "name a property: jada ga4 report NAME, or --property ID");
  const google = await services.google();
  let account = options.account ?? configured?.account ?? ga4.account;
  if (account === undefined) {
    const stored = Object.keys((await google.store.read()).accounts);
    if (stored.length !== 1)
      throw new JadaCliError(
        "USAGE",
        `say which account reports on property ${property}: --account EMAIL${stored.length ? ` (stored: ${stored.join(", ")})` : ""}, or ga4.account in the config`,
      );
    account = stored[0] as string;
  }
  const chosen = account;
  const { createAnalyticsApi } = await import("@jada/google-token/analytics");
  const api = createAnalyticsApi({
    account: chosen,
    getAccessToken: () => google.manager.getAccessToken(chosen),
    refresh: () => google.manager.refresh(chosen),
    rootUrl: google.config.oauth.analyticsUrl,
  });
  let report: ReportResult;
  try {
    report = await api.runReport({
      property,
      metrics,
      dimensions: list(options.dimensions),
      from: options.from,
      to: options.to,
      limit,
      quota: options.quota,
    });
  } catch (error) {
    // The consent must keep the scopes the account has, and add GA4's.
    const remedy = (error as { code?: string; remedy?: { scopes?: string[] } }).remedy;
    if ((error as { code?: string }).code === "INSUFFICIENT_SCOPE" && remedy?.scopes)
      remedy.scopes = await reconsentScopes(google, chosen, remedy.scopes);
    throw toCliError(error) ?? error;
  }
  if (options.json) io.stdout.write(renderJson({ account: chosen, ...report }));
  else if (options.csv) io.stdout.write(toCsv(report));
  else io.stdout.write(describe(report, chosen));
  return 0;
}

function describe(report: ReportResult, account: string): string {
  const columns = [...report.dimensions, ...report.metrics];
  const lines = [
    report.rows.length === 0
      ? `property ${report.property}: no rows for this range`
      : renderTable(
          columns.map((column) => column.toUpperCase()),
          report.rows.map((row) => columns.map((column) => row[column] ?? "")),
        ).trimEnd(),
  ];
  if (report.rowCount > report.rows.length)
    lines.push(`(${report.rows.length} of ${report.rowCount} rows: --limit)`);
  if (report.quota) {
    const day = report.quota["tokensPerDay"];
    const hour = report.quota["tokensPerHour"];
    const figure = (n: number) => n.toLocaleString("en-US");
    lines.push(
      `quota of property ${report.property} (as ${account}): ${day ? `today ${figure(day.consumed)} tokens used, ${figure(day.remaining)} left` : "today unknown"}; ${hour ? `this hour ${figure(hour.consumed)} used, ${figure(hour.remaining)} left` : "this hour unknown"}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** RFC 4180: fields with a comma, quote or line break in double quotes, quotes doubled. */
function toCsv(report: ReportResult): string {
  const columns = [...report.dimensions, ...report.metrics];
  const cell = (value: string) =>
    /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  return [columns, ...report.rows.map((row) => columns.map((column) => row[column] ?? ""))]
    .map((cells) => `${cells.map(cell).join(",")}\r\n`)
    .join("");
}
