// The sheet sync with the real @googleapis/sheets client and google-auth-library, through the
// token manager, against the Sheets API of the loopback Google: what is written, and what is not.
import { describe, expect, it } from "vitest";
import { createSheetsApi } from "../src/sheets/api.js";
import { planSync } from "../src/sheets/plan.js";
import { syncSheet } from "../src/sheets/sync.js";
import { createTokenManager } from "../src/token-manager.js";
import { ACCOUNT, google, storeWithAccount } from "./helpers.js";

const SHEET_ID = "1BookingsSheet";
const COLUMNS = ["id", "date", "guest", "boat"];
const bookings = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: `B${String(i + 1).padStart(4, "0")}`,
    date: `2026-12-${String((i % 28) + 1).padStart(2, "0")}`,
    guest: `Guest ${i + 1}`,
    boat: i % 2 ? "Jada" : "Queen",
  }));

async function setup(options: { editors?: string[]; tab?: string[][] } = {}) {
  const fake = await google();
  fake.retryAfterSeconds = 0;
  const { store } = await storeWithAccount(fake);
  const manager = createTokenManager({
    store,
    endpoints: { tokenUrl: fake.tokenUrl, authUrl: fake.authUrl, tokenInfoUrl: fake.tokenInfoUrl },
  });
  fake.addSpreadsheet(SHEET_ID, {
    tabs: { Bookings: options.tab ?? [] },
    editors: options.editors,
  });
  const waits: number[] = [];
  const api = async (extra: { maxRequests?: number } = {}) =>
    createSheetsApi({
      auth: await manager.authClient(ACCOUNT),
      account: ACCOUNT,
      rootUrl: fake.apiRootUrl,
      refresh: () => manager.refresh(ACCOUNT),
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...extra,
    });
  const sync = async (
    rows: Record<string, unknown>[],
    extra: { deleteMissing?: boolean; dryRun?: boolean } = {},
  ) =>
    syncSheet({
      api: await api(),
      spreadsheetId: SHEET_ID,
      sheet: "Bookings",
      columns: COLUMNS,
      key: "id",
      rows,
      ...extra,
    });
  return { fake, sync, waits, api };
}

describe("syncSheet", () => {
  it("fills an empty sheet with the header and the rows; a second run reads once and writes nothing", async () => {
    const { fake, sync } = await setup();
    const rows = bookings(5);
    const first = await sync(rows);
    expect(first).toMatchObject({
      appended: 5,
      updated: 0,
      unchanged: 0,
      requests: 2,
      cellsWritten: 24,
    });
    expect(fake.tab(SHEET_ID, "Bookings")).toEqual([
      COLUMNS,
      ...rows.map((row) => [row.id, row.date, row.guest, row.boat]),
    ]);
    const before = { ...fake.sheetCounts };
    const second = await sync(rows);
    expect(second).toMatchObject({
      appended: 0,
      updated: 0,
      unchanged: 5,
      requests: 1,
      cellsWritten: 0,
    });
    expect(fake.sheetCounts.get - before.get).toBe(1);
    expect(fake.sheetCounts.cellsWritten).toBe(before.cellsWritten);
  });

  it("updates changed rows in one batch and appends new ones in one call, wherever a person sorted the sheet", async () => {
    const { fake, sync } = await setup();
    const rows = bookings(6);
    await sync(rows);
    // A person sorts the sheet by guest, descending.
    const [header, ...body] = fake.tab(SHEET_ID, "Bookings");
    fake.setTab(SHEET_ID, "Bookings", [header as string[], ...body.reverse()]);
    const changed = rows.map((row) => (row.id === "B0002" ? { ...row, boat: "Sunset" } : row));
    changed.push({ id: "B0007", date: "2026-12-09", guest: "New", boat: "Jada" });
    const before = { ...fake.sheetCounts };
    const result = await sync(changed);
    expect(result).toMatchObject({
      updated: 1,
      appended: 1,
      unchanged: 5,
      requests: 3,
      cellsWritten: 8,
    });
    expect(fake.sheetCounts.batchUpdate - before.batchUpdate).toBe(1);
    expect(fake.sheetCounts.append - before.append).toBe(1);
    const tab = fake.tab(SHEET_ID, "Bookings");
    // The changed row changed where it is now (sorted), the new row at the end, nothing else moved.
    expect(tab.find((row) => row[0] === "B0002")).toEqual([
      "B0002",
      "2026-12-02",
      "Guest 2",
      "Sunset",
    ]);
    expect(tab.map((row) => row[0])).toEqual([
      "id",
      "B0006",
      "B0005",
      "B0004",
      "B0003",
      "B0002",
      "B0001",
      "B0007",
    ]);
  });

  it("reports rows that vanished from the source, and removes them only with deleteMissing", async () => {
    const { fake, sync } = await setup();
    await sync(bookings(4));
    const kept = bookings(4).filter((row) => row.id !== "B0002" && row.id !== "B0004");
    const reported = await sync(kept);
    expect(reported).toMatchObject({ missing: ["B0002", "B0004"], deleted: 0, requests: 1 });
    expect(fake.tab(SHEET_ID, "Bookings")).toHaveLength(5);
    const removed = await sync(kept, { deleteMissing: true });
    expect(removed).toMatchObject({ missing: ["B0002", "B0004"], deleted: 2, requests: 3 });
    expect(fake.tab(SHEET_ID, "Bookings").map((row) => row[0])).toEqual(["id", "B0001", "B0003"]);
  });

  it("refuses duplicate keys in the source or the sheet, naming them, and writes nothing", async () => {
    const { fake, sync } = await setup();
    const rows = bookings(3);
    await expect(sync([...rows, { ...rows[1] }])).rejects.toMatchObject({
      code: "SYNC_INVALID",
      message: "the source has duplicate id values: B0002",
    });
    expect(fake.sheetCounts.cellsWritten).toBe(0);
    fake.setTab(SHEET_ID, "Bookings", [COLUMNS, ["B1", "d", "g", "b"], ["B1", "d", "h", "b"]]);
    await expect(sync(rows)).rejects.toMatchObject({
      code: "SYNC_INVALID",
      message: "the sheet has duplicate id values: B1",
    });
  });

  it("says which header it found when the columns differ, and what a row without a key is", () => {
    expect(() =>
      planSync({ columns: COLUMNS, key: "id", rows: [], sheet: [["id", "guest", "date"]] }),
    ).toThrow(
      'the sheet\'s header is "id, guest, date, "; the config\'s columns are "id, date, guest, boat"',
    );
    expect(() => planSync({ columns: COLUMNS, key: "id", rows: [{ id: "" }], sheet: [] })).toThrow(
      "source row 1 has no id",
    );
    expect(() => planSync({ columns: COLUMNS, key: "ref", rows: [], sheet: [] })).toThrow(
      'the key column "ref" is not one of the columns',
    );
  });

  it("waits as Google asks on 429 and 503, counting each request against the budget", async () => {
    const { fake, sync, waits } = await setup();
    fake.retryAfterSeconds = 2;
    fake.failNext(429, 503);
    const result = await sync(bookings(2));
    expect(result).toMatchObject({ appended: 2, requests: 4 });
    expect(waits[0]).toBe(2000); // Retry-After: 2
    expect(waits).toHaveLength(2);
  });

  it("stops at the request budget rather than burn through Google's quota", async () => {
    const { fake, api } = await setup();
    fake.failNext(429, 429, 429);
    const error = await syncSheet({
      api: await api({ maxRequests: 2 }),
      spreadsheetId: SHEET_ID,
      sheet: "Bookings",
      columns: COLUMNS,
      key: "id",
      rows: bookings(1),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "REQUEST_BUDGET",
      message: `reading 'Bookings'!A1:D of spreadsheet ${SHEET_ID} would pass the budget of 2 requests (Google allows 60 a minute)`,
    });
    expect(fake.sheetCounts.total).toBe(2);
  });

  it("fails whole when the token is revoked mid-run: INVALID_GRANT with the fix, nothing half-written", async () => {
    const { fake, sync, api } = await setup();
    await sync(bookings(3));
    const before = fake.tab(SHEET_ID, "Bookings");
    const real = await api();
    // The read succeeds with the token it has; then Google revokes it, before the writes.
    const revokedAfterRead = Object.assign(Object.create(real), {
      read: async (id: string, range: string) => {
        const values = await real.read(id, range);
        fake.revokeAccessTokens();
        fake.queueRefresh("invalid_grant");
        return values;
      },
    });
    const error = await syncSheet({
      api: revokedAfterRead,
      spreadsheetId: SHEET_ID,
      sheet: "Bookings",
      columns: COLUMNS,
      key: "id",
      rows: bookings(4).map((row) => ({ ...row, boat: "Changed" })),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "INVALID_GRANT",
      remedy: { action: "reconsent", account: ACCOUNT },
    });
    expect(fake.tab(SHEET_ID, "Bookings")).toEqual(before);
  });

  it("names the account that lacks access, the spreadsheet or the tab that does not exist", async () => {
    const denied = await setup({ editors: ["owner@sailjada.com"] });
    await expect(denied.sync(bookings(1))).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: expect.stringContaining(
        `${ACCOUNT} cannot read spreadsheet ${SHEET_ID}: share it with ${ACCOUNT}`,
      ),
    });
    const { api } = await setup();
    const missingTab = await syncSheet({
      api: await api(),
      spreadsheetId: SHEET_ID,
      sheet: "Bokings",
      columns: COLUMNS,
      key: "id",
      rows: [],
    }).catch((e: unknown) => e);
    expect(missingTab).toMatchObject({
      code: "SHEET_NOT_FOUND",
      message: expect.stringContaining("Unable to parse range: 'Bokings'!A1:D"),
    });
    const missingSheet = await syncSheet({
      api: await api(),
      spreadsheetId: "nope",
      sheet: "Bookings",
      columns: COLUMNS,
      key: "id",
      rows: [],
    }).catch((e: unknown) => e);
    expect(missingSheet).toMatchObject({
      code: "SHEET_NOT_FOUND",
      message: expect.stringContaining("spreadsheet nope was not found"),
    });
  });
});
