// The booking-sheet sync against the naive approach, on the loopback Google (OAuth and Sheets v4)
// with the real @googleapis/sheets client and google-auth-library, through the token store.
//
//   npm run build && node bench/sheets/run.ts [--rows 5000] [--changed-percent 1] [--samples 5]
//     (npm run bench:sheets)
//
// A sheet of --rows rows, a source with --changed-percent of them changed (and as many new):
// `syncSheet` (one read, one batch update, one append) beside the anchor, the naive sync the
// seeds' script did (clear the range, rewrite every row), in the same run: requests, cells
// written, and time (median of --samples). Then the same source again: the second run.
import { rm } from "node:fs/promises";
import { parseArgs } from "node:util";
import { sheets } from "@googleapis/sheets";
import { createSheetsApi, quoteSheet, syncSheet } from "@jada/google-token/sheets";
import { benchGoogle } from "../lib/google.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "5000" },
    "changed-percent": { type: "string", default: "1" },
    samples: { type: "string", default: "5" },
  },
});
const rowCount = Number(values.rows);
const changedCount = Math.round((rowCount * Number(values["changed-percent"])) / 100);
const samples = Number(values.samples);
const ACCOUNT = "ops@sailjada.com";
const SHEET = "1BenchBookingsSheet";
const columns = ["id", "date", "guest", "boat", "seats", "paid"];

const booking = (i: number, edit = "") => ({
  id: `B${String(i).padStart(6, "0")}`,
  date: `2026-12-${String((i % 28) + 1).padStart(2, "0")}`,
  guest: `Guest ${i}${edit}`,
  boat: i % 3 ? "Jada" : "Queen",
  seats: String((i % 6) + 1),
  paid: i % 2 ? "yes" : "no",
});
const start = Array.from({ length: rowCount }, (_, i) => booking(i + 1));
const source = [
  ...start.map((row, i) =>
    i % Math.floor(rowCount / changedCount) === 0 ? booking(i + 1, " (moved)") : row,
  ),
  ...Array.from({ length: changedCount }, (_, i) => booking(rowCount + i + 1)),
];
const asCells = (rows: typeof start) =>
  rows.map((row) => columns.map((c) => row[c as keyof typeof row]));

const { google, dir, manager } = await benchGoogle(ACCOUNT);
const auth = await manager.authClient(ACCOUNT);
const fresh = () =>
  google.addSpreadsheet(SHEET, { tabs: { Bookings: [columns, ...asCells(start)] } });
const measure = async (work: () => Promise<unknown>) => {
  const before = { ...google.sheetCounts };
  const began = performance.now();
  await work();
  return {
    ms: performance.now() - began,
    requests: google.sheetCounts.total - before.total,
    cells: google.sheetCounts.cellsWritten - before.cellsWritten,
  };
};
const smart = () =>
  syncSheet({
    api: createSheetsApi({ auth, account: ACCOUNT, rootUrl: google.apiRootUrl, maxRequests: 20 }),
    spreadsheetId: SHEET,
    sheet: "Bookings",
    columns,
    key: "id",
    rows: source,
  });
const client = sheets({ version: "v4", auth, rootUrl: google.apiRootUrl });
const naive = async () => {
  const range = `${quoteSheet("Bookings")}!A:F`;
  await client.spreadsheets.values.clear({ spreadsheetId: SHEET, range });
  await client.spreadsheets.values.update({
    spreadsheetId: SHEET,
    range: `${quoteSheet("Bookings")}!A1`,
    valueInputOption: "RAW",
    requestBody: { values: [columns, ...asCells(source)] },
  });
};

// Warm both paths (module loading, the token, the sockets).
fresh();
await smart();
fresh();
await naive();
const results: Record<string, Array<Awaited<ReturnType<typeof measure>>>> = {
  naive: [],
  smart: [],
  again: [],
};
for (let i = 0; i < samples; i++) {
  fresh();
  results["naive"]?.push(await measure(naive));
  fresh();
  results["smart"]?.push(await measure(smart));
  results["again"]?.push(await measure(smart));
}
await google.close();
await rm(dir, { recursive: true, force: true });

const median = (list: number[]) =>
  [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
const row = (label: string, key: string, target: string) => {
  const runs = results[key] ?? [];
  const base = results["naive"] ?? [];
  const ms = median(runs.map((r) => r.ms));
  const baseMs = median(base.map((r) => r.ms));
  const cells = runs[0]?.cells ?? 0;
  const baseCells = base[0]?.cells ?? 1;
  return `| ${label} | ${runs[0]?.requests} | ${cells} (${((cells / baseCells) * 100).toFixed(1)}% of the anchor's) | ${ms.toFixed(0)} ms (${(ms / baseMs).toFixed(2)}x) | ${target} |`;
};
process.stdout.write(
  `\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, \`node bench/sheets/run.ts ${process.argv.slice(2).join(" ")}\` (${rowCount} rows, ${changedCount} changed, ${changedCount} new, ${columns.length} columns):\n\n| what | requests | cells written | time (median of ${samples}) | target |\n|---|---|---|---|---|\n${[
    row("anchor: clear the range, rewrite every row", "naive", "-"),
    row(
      "`syncSheet`: one read, one batch update, one append",
      "smart",
      "at most 3 requests, under 10% of the cells",
    ),
    row("`syncSheet` again, same source", "again", "1 request, 0 cells"),
  ].join("\n")}\n`,
);
