// `jada ga4 report`, the built binary as a subprocess, against GA4's Data API of the loopback
// Google, with accounts consented through `jada auth google` (each with the scopes it asked for).
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GoogleFake, startGoogleFake } from "@jada/google-token/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeGoogle, writeGoogleSetup } from "./consent.js";
import { runJadaProcess } from "./run-jada.js";

const SHEETS = "https://www.googleapis.com/auth/spreadsheets";
const ANALYTICS = "https://www.googleapis.com/auth/analytics.readonly";
const PROPERTY = "412345678";
let root: string;
let google: GoogleFake;
const day = (offset: number) =>
  new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");

const jada = (args: string[]) => runJadaProcess(args, { cwd: root });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "jada-ga4-cli-"));
  google = await startGoogleFake();
  await writeGoogleSetup(root, google, {
    extra: {
      ga4: { properties: { queen: { property: PROPERTY, account: "ops@sailjada.com" } } },
    },
  });
  const config = JSON.parse(await readFile(join(root, "jada.config.json"), "utf8"));
  config.google.scopes = [SHEETS, ANALYTICS];
  config.google.oauth.analyticsUrl = google.apiRootUrl;
  await writeFile(join(root, "jada.config.json"), JSON.stringify(config));
  for (const [account, scopes] of [
    ["ops@sailjada.com", []],
    ["other@sailjada.com", []],
    ["sheets@sailjada.com", ["--scopes", SHEETS]],
  ] as const) {
    const auth = await authorizeGoogle(account, { cwd: root }, [...scopes]);
    if (auth.code !== 0) throw new Error(`consent failed: ${auth.stderr}`);
  }
  google.addProperty(PROPERTY, {
    viewers: ["ops@sailjada.com", "sheets@sailjada.com"],
    rows: [
      { date: day(1), pagePath: "/", activeUsers: 40, sessions: 52 },
      { date: day(1), pagePath: "/book, now", activeUsers: 12, sessions: 15 },
      { date: day(2), pagePath: "/", activeUsers: 30, sessions: 33 },
    ],
  });
});
afterAll(async () => {
  await google?.close();
  await rm(root, { recursive: true, force: true });
});

describe("jada ga4 report", () => {
  it("reports a configured property as a table, with its quota; as JSON; as CSV", async () => {
    const table = await jada(["ga4", "report", "queen", "--dimensions", "pagePath", "--quota"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      /^PAGEPATH +ACTIVEUSERS +SESSIONS\n\/ +70 +85\n\/book, now +12 +15\n/,
    );
    expect(table.stdout).toContain(
      `quota of property ${PROPERTY} (as ops@sailjada.com): today 10 tokens used, 199,990 left; this hour 10 used, 39,990 left\n`,
    );
    const json = await jada(["ga4", "report", "queen", "--json", "--limit", "1"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      account: "ops@sailjada.com",
      property: PROPERTY,
      dimensions: ["date"],
      rows: [{ date: day(1), activeUsers: "52", sessions: "67" }],
      rowCount: 2,
    });
    const csv = await jada([
      "ga4",
      "report",
      "--property",
      PROPERTY,
      "--account",
      "ops@sailjada.com",
      "--metrics",
      "sessions",
      "--dimensions",
      "pagePath",
      "--csv",
    ]);
    expect(csv.stdout).toBe('pagePath,sessions\r\n/,85\r\n"/book, now",15\r\n');
  });

  it("says which access to grant, or which scope to consent to, with exit 2", async () => {
    const denied = await jada([
      "ga4",
      "report",
      "--property",
      PROPERTY,
      "--account",
      "other@sailjada.com",
    ]);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain(
      `jada: other@sailjada.com cannot see GA4 property ${PROPERTY}: grant it the Viewer role (GA4 Admin > Property access management), or report with an account that has it (--account)`,
    );
    const scope = await jada([
      "ga4",
      "report",
      "--property",
      PROPERTY,
      "--account",
      "sheets@sailjada.com",
    ]);
    expect(scope.code).toBe(2);
    expect(scope.stderr).toContain(
      `\nfix: jada auth google --account sheets@sailjada.com --scopes ${SHEETS},${ANALYTICS}\n`,
    );
  });

  it("refuses bad input with exit 2, and a Google that keeps failing with exit 1", async () => {
    const metric = await jada(["ga4", "report", "queen", "--metrics", "visits"]);
    expect(metric.code).toBe(2);
    expect(metric.stderr).toContain("Field visits is not a valid metric");
    expect((await jada(["ga4", "report", "queen", "--json", "--csv"])).code).toBe(2);
    expect((await jada(["ga4", "report", "queen", "--limit", "0"])).code).toBe(2);
    const unknown = await jada(["ga4", "report", "king"]);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: 'jada: unknown GA4 property "king": configured properties are queen\n',
    });
    const which = await jada(["ga4", "report", "--property", PROPERTY]);
    expect(which.code).toBe(2);
    expect(which.stderr).toContain("say which account reports on property");
    google.failNextReports(503, 503, 503, 503);
    const down = await jada(["ga4", "report", "queen"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("Google answered 503 after the retries");
  }, 30_000);
});
