// `jada sheets sync` and the job sheets-sync:NAME, the built binary as a subprocess, against the
// loopback Google (OAuth and Sheets v4) with the real @googleapis/sheets client: sources from a
// JSON file, a CSV file, a command and a URL; what is written, what is not, and each failure
// with its exit code and fix.
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GoogleFake, startGoogleFake } from "@jada/google-token/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeGoogle, writeGoogleSetup } from "./consent.js";
import { runJadaProcess } from "./run-jada.js";

const SHEET_ID = "1BookingsSheetForTests";
const ACCOUNT = "ops@sailjada.com";
const EXPORT_TOKEN = "fake-export-token-planted";
const COLUMNS = ["id", "date", "guest", "boat"];
let root: string;
let google: GoogleFake;
let exportServer: Server;
let exportRows: unknown = [];

const rows = (count: number, boat = "Jada") =>
  Array.from({ length: count }, (_, i) => ({
    id: `B${i + 1}`,
    date: `2026-12-${String(i + 1).padStart(2, "0")}`,
    guest: `Guest ${i + 1}`,
    boat,
  }));

const jada = (args: string[], env: Record<string, string> = {}) =>
  runJadaProcess(args, { cwd: root, env: { JADA_DATA_DIR: join(root, "data"), ...env } });

const sheet = (source: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  account: ACCOUNT,
  spreadsheetId: SHEET_ID,
  sheet: "Bookings",
  key: "id",
  columns: COLUMNS,
  source,
  ...extra,
});

// A loopback port nothing listens on (it did a moment ago).
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "jada-sheets-cli-"));
  google = await startGoogleFake();
  google.retryAfterSeconds = 0;
  exportServer = createServer((request, response) => {
    if (request.headers.authorization !== `Bearer ${EXPORT_TOKEN}`)
      response.writeHead(401).end("no");
    else
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify(exportRows));
  });
  exportServer.listen(0, "127.0.0.1");
  await once(exportServer, "listening");
  const exportUrl = `http://127.0.0.1:${(exportServer.address() as { port: number }).port}/export`;
  await writeGoogleSetup(root, google);
  const auth = await authorizeGoogle(ACCOUNT, { cwd: root });
  if (auth.code !== 0) throw new Error(`consent failed: ${auth.stderr}`);
  // The config again, now with the Sheets API's root and the sheets.
  const config = JSON.parse(await readFile(join(root, "jada.config.json"), "utf8"));
  config.google.oauth.sheetsUrl = google.apiRootUrl;
  config.sheets = {
    bookings: sheet({ file: "bookings.json" }),
    csv: sheet({ file: "bookings.csv" }, { sheet: "Csv" }),
    program: sheet({ command: "cat bookings.json" }, { sheet: "Program", deleteMissing: true }),
    export: sheet(
      { url: exportUrl, headers: { authorization: "$BOOKINGS_AUTH" } },
      { sheet: "Export" },
    ),
    nowhere: sheet({ url: `http://127.0.0.1:${await closedPort()}/export` }, { sheet: "Export" }),
    denied: sheet({ file: "bookings.json" }, { spreadsheetId: "1SomeoneElsesSheet" }),
  };
  await writeFile(join(root, "jada.config.json"), JSON.stringify(config));
  google.addSpreadsheet(SHEET_ID, { tabs: { Bookings: [], Csv: [], Program: [], Export: [] } });
  google.addSpreadsheet("1SomeoneElsesSheet", { tabs: { Bookings: [] }, editors: ["owner@x.com"] });
});
afterAll(async () => {
  exportServer?.close();
  await google?.close();
  await rm(root, { recursive: true, force: true });
});

describe("jada sheets sync", () => {
  it("fills the sheet, then a second run reads once and writes nothing", async () => {
    await writeFile(join(root, "bookings.json"), JSON.stringify(rows(50)));
    const first = await jada(["sheets", "sync", "bookings"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(
      `sheet bookings (Bookings of ${SHEET_ID}): 0 updated, 50 added, 0 unchanged; 2 requests, 204 cells written\n`,
    );
    expect(google.tab(SHEET_ID, "Bookings")).toHaveLength(51);
    const second = await jada(["sheets", "sync", "bookings", "--json"]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      name: "bookings",
      updated: 0,
      appended: 0,
      unchanged: 50,
      requests: 1,
      cellsWritten: 0,
    });
  });

  it("writes only the changed and new rows; --dry-run writes nothing", async () => {
    const changed = rows(52).map((row) => (row.id === "B7" ? { ...row, guest: "Ada" } : row));
    await writeFile(join(root, "bookings.json"), JSON.stringify(changed));
    const before = google.sheetCounts.cellsWritten;
    const dry = await jada(["sheets", "sync", "bookings", "--dry-run"]);
    expect(dry.stdout).toBe(
      `sheet bookings (Bookings of ${SHEET_ID}), dry run: 1 to update, 2 to add, 49 unchanged; 1 requests, 0 cells written\n`,
    );
    expect(google.sheetCounts.cellsWritten).toBe(before);
    const real = await jada(["sheets", "sync", "bookings"]);
    expect(real.stdout).toContain("1 updated, 2 added, 49 unchanged; 3 requests, 12 cells written");
    expect(google.tab(SHEET_ID, "Bookings").find((row) => row[0] === "B7")?.[2]).toBe("Ada");
  });

  it("reads CSV files, commands (deleting vanished rows when asked) and URLs with a header from the environment", async () => {
    await writeFile(
      join(root, "bookings.csv"),
      'id,date,guest,boat\r\nB1,2026-12-01,"Smith, ""Jo""",Jada\r\nB2,2026-12-02,Lee,Queen\r\n',
    );
    expect((await jada(["sheets", "sync", "csv"])).code).toBe(0);
    expect(google.tab(SHEET_ID, "Csv")[1]).toEqual(["B1", "2026-12-01", 'Smith, "Jo"', "Jada"]);

    await writeFile(join(root, "bookings.json"), JSON.stringify(rows(3)));
    expect((await jada(["sheets", "sync", "program"])).code).toBe(0);
    await writeFile(join(root, "bookings.json"), JSON.stringify(rows(2)));
    const deleted = await jada(["sheets", "sync", "program"]);
    expect(deleted.stdout).toContain("  gone from the source: B3 (deleted)\n");
    expect(google.tab(SHEET_ID, "Program")).toHaveLength(3);

    exportRows = { rows: rows(4) };
    const noToken = await jada(["sheets", "sync", "export"]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toBe(
      "jada: the source's headers.authorization reads $BOOKINGS_AUTH, which is not set\n",
    );
    const fetched = await jada(["sheets", "sync", "export"], {
      BOOKINGS_AUTH: `Bearer ${EXPORT_TOKEN}`,
    });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toContain("4 added");
    expect(fetched.stdout + fetched.stderr).not.toContain(EXPORT_TOKEN);
  });

  it("waits out a 429 and finishes (exit 0); a source that does not answer is exit 1", async () => {
    await writeFile(join(root, "bookings.json"), JSON.stringify(rows(52, "Queen")));
    google.failNext(429);
    const limited = await jada(["sheets", "sync", "bookings", "--json"]);
    expect(limited.code, limited.stderr).toBe(0);
    expect(JSON.parse(limited.stdout)).toMatchObject({ updated: 52, requests: 3 });
    const unreachable = await jada(["sheets", "sync", "nowhere"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^jada: the source http:\/\/127\.0\.0\.1:\d+\/export is unreachable: ECONNREFUSED\n$/,
    );
  });

  it("exit 2 with what to fix: a malformed source, duplicate keys, access denied, an unknown sheet", async () => {
    await writeFile(
      join(root, "bookings.json"),
      JSON.stringify([rows(1)[0], { id: "B2", guest: { first: "Ada" } }]),
    );
    const malformed = await jada(["sheets", "sync", "bookings"]);
    expect(malformed).toMatchObject({ code: 2 });
    expect(malformed.stderr).toContain("row 2, field guest is an object, not a cell");
    await writeFile(join(root, "bookings.json"), JSON.stringify([...rows(2), rows(2)[1]]));
    const duplicates = await jada(["sheets", "sync", "bookings"]);
    expect(duplicates).toMatchObject({
      code: 2,
      stderr: "jada: the source has duplicate id values: B2\n",
    });
    await writeFile(join(root, "bookings.json"), JSON.stringify(rows(2)));
    const denied = await jada(["sheets", "sync", "denied"]);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain(
      `jada: ${ACCOUNT} cannot read spreadsheet 1SomeoneElsesSheet: share it with ${ACCOUNT} (as an editor)`,
    );
    const unknown = await jada(["sheets", "sync", "bokings"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'unknown sheet "bokings": configured sheets are bookings, csv',
    );
  });

  it("a token revoked mid-run: exit 2 with the fix, nothing written; the job alerts at once with it", async () => {
    await writeFile(join(root, "bookings.json"), JSON.stringify(rows(52, "Sunset")));
    const before = google.tab(SHEET_ID, "Bookings");
    google.revokeAccessTokens();
    google.queueRefresh("invalid_grant");
    const revoked = await jada(["sheets", "sync", "bookings"]);
    expect(revoked.code).toBe(2);
    expect(revoked.stderr).toContain(`\nfix: jada auth google --account ${ACCOUNT}\n`);
    expect(google.tab(SHEET_ID, "Bookings")).toEqual(before);

    google.queueRefresh("invalid_grant");
    const job = await jada(["jobs", "run", "sheets-sync:bookings"]);
    expect(job.code).toBe(1);
    expect(job.stdout).toContain(`fix: jada auth google --account ${ACCOUNT}`);
    const [alert] = JSON.parse((await jada(["alerts", "list", "--json"])).stdout);
    expect(alert).toMatchObject({
      job: "sheets-sync:bookings",
      cause: "non_retryable",
      code: "INVALID_GRANT",
      fix: `jada auth google --account ${ACCOUNT}`,
    });
    const listed = JSON.parse((await jada(["jobs", "list", "--json"])).stdout);
    expect(
      listed.map((job: { name: string; schedule: string }) => [job.name, job.schedule]),
    ).toContainEqual(["sheets-sync:bookings", "30m"]);
  });
});
