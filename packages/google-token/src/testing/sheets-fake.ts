// The Sheets API v4 of the loopback Google: spreadsheets of tabs of cells, the calls a sync and
// its naive alternative make (values get / batchUpdate / append / update / clear, spreadsheets
// get / batchUpdate with deleteDimension), in Google's URL shapes, answers and errors (404 for a
// spreadsheet, 400 "Unable to parse range" for a tab, 403 for an account that is not an editor,
// 429 with Retry-After when asked), and counters of requests and cells written.
import type { IncomingMessage, ServerResponse } from "node:http";
import { apiError, json, readBody } from "./http.js";

/** A spreadsheet of the fake. */
export interface FakeSpreadsheet {
  /** Tabs by name, each its rows of cells. */
  tabs: Record<string, string[][]>;
  /** Accounts that may read and write it (default: every account). */
  editors?: string[] | undefined;
}

/** Requests the Sheets fake answered, by kind, and the cells written. */
export interface SheetsCounts {
  get: number;
  batchUpdate: number;
  append: number;
  update: number;
  clear: number;
  metadata: number;
  structure: number;
  /** Every Sheets request, failed ones included. */
  total: number;
  cellsWritten: number;
}

/** Controls of the Sheets fake. */
export interface SheetsControls {
  addSpreadsheet(id: string, spreadsheet: FakeSpreadsheet): void;
  /** A tab's current cells (a copy). */
  tab(id: string, name: string): string[][];
  /** Replaces a tab's cells (as a person editing the sheet would: sorting it, say). */
  setTab(id: string, name: string, rows: string[][]): void;
  /** The next Sheets requests answer these statuses (429 with `Retry-After: retryAfter`). */
  failNext(...statuses: Array<429 | 500 | 503>): void;
  /** Seconds a 429 asks to wait (default 1). */
  retryAfterSeconds: number;
  readonly sheetCounts: SheetsCounts;
}

interface Range {
  tab: string;
  startRow: number;
  startColumn: number;
  endRow: number | undefined;
  endColumn: number | undefined;
}

/** The Sheets backend: `handle` answers a request it owns and says whether it did. */
export function createSheetsBackend() {
  const spreadsheets = new Map<string, FakeSpreadsheet>();
  const failures: number[] = [];
  const counts: SheetsCounts = {
    get: 0,
    batchUpdate: 0,
    append: 0,
    update: 0,
    clear: 0,
    metadata: 0,
    structure: 0,
    total: 0,
    cellsWritten: 0,
  };
  const controls: SheetsControls = {
    addSpreadsheet(id, spreadsheet) {
      spreadsheets.set(id, {
        tabs: Object.fromEntries(
          Object.entries(spreadsheet.tabs).map(([name, rows]) => [name, rows.map((r) => [...r])]),
        ),
        editors: spreadsheet.editors,
      });
    },
    tab(id, name) {
      return (spreadsheets.get(id)?.tabs[name] ?? []).map((row) => [...row]);
    },
    setTab(id, name, rows) {
      const spreadsheet = spreadsheets.get(id);
      if (spreadsheet) spreadsheet.tabs[name] = rows.map((row) => [...row]);
    },
    failNext(...statuses) {
      failures.push(...statuses);
    },
    retryAfterSeconds: 1,
    sheetCounts: counts,
  };

  /** Answers a Sheets request of `email`; false when the URL is not one the backend knows. */
  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    email: string,
  ): Promise<boolean> {
    const match = /^\/v4\/spreadsheets\/([^/:]+)(.*)$/.exec(url.pathname);
    if (!match) return false;
    const id = decodeURIComponent(match[1] as string);
    const spreadsheet = spreadsheets.get(id);
    counts.total++;
    if (spreadsheet === undefined) return false;
    const failure = failures.shift();
    if (failure !== undefined) {
      if (failure === 429) response.setHeader("retry-after", String(controls.retryAfterSeconds));
      apiError(
        response,
        failure,
        failure === 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE",
        failure === 429
          ? "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user'"
          : "The service is currently unavailable.",
      );
      return true;
    }
    if (spreadsheet.editors && !spreadsheet.editors.includes(email)) {
      apiError(response, 403, "PERMISSION_DENIED", "The caller does not have permission");
      return true;
    }
    const rest = match[2] as string;
    const method = request.method ?? "GET";
    const range = (text: string): Range | undefined => {
      const parsed = parseRange(decodeURIComponent(text));
      if (parsed === undefined || spreadsheet.tabs[parsed.tab] === undefined) {
        apiError(
          response,
          400,
          "INVALID_ARGUMENT",
          `Unable to parse range: ${decodeURIComponent(text)}`,
        );
        return undefined;
      }
      return parsed;
    };
    const body = async () => JSON.parse((await readBody(request)) || "{}");

    if (method === "GET" && rest === "") {
      counts.metadata++;
      json(response, 200, {
        spreadsheetId: id,
        sheets: Object.keys(spreadsheet.tabs).map((title, index) => ({
          properties: { sheetId: index * 1000 + 7, title, index },
        })),
      });
      return true;
    }
    if (method === "POST" && rest === ":batchUpdate") {
      counts.structure++;
      const { requests = [] } = await body();
      const titles = Object.keys(spreadsheet.tabs);
      for (const item of requests as Array<{
        deleteDimension?: { range: Record<string, number | string> };
      }>) {
        const target = item.deleteDimension?.range;
        const title = titles.find((_, index) => index * 1000 + 7 === target?.["sheetId"]);
        if (!target || title === undefined || target["dimension"] !== "ROWS") {
          apiError(response, 400, "INVALID_ARGUMENT", "Invalid requests[0]: unsupported request");
          return true;
        }
        const rows = spreadsheet.tabs[title] as string[][];
        rows.splice(
          Number(target["startIndex"]),
          Number(target["endIndex"]) - Number(target["startIndex"]),
        );
      }
      json(response, 200, { spreadsheetId: id, replies: requests.map(() => ({})) });
      return true;
    }
    if (method === "POST" && rest === "/values:batchUpdate") {
      counts.batchUpdate++;
      const { data = [] } = await body();
      for (const item of data as Array<{ range: string; values: string[][] }>) {
        const target = range(item.range);
        if (!target) return true;
        write(spreadsheet, target, item.values);
      }
      json(response, 200, { spreadsheetId: id, totalUpdatedRows: data.length });
      return true;
    }
    const values = /^\/values\/([^:]+)(:append|:clear)?$/.exec(rest);
    if (values) {
      const target = range(values[1] as string);
      if (!target) return true;
      const rows = spreadsheet.tabs[target.tab] as string[][];
      if (method === "GET" && values[2] === undefined) {
        counts.get++;
        const read = rows
          .slice(target.startRow - 1, target.endRow)
          .map((row) => trimEnd(row.slice(target.startColumn - 1, target.endColumn)));
        while (read.length > 0 && (read.at(-1) as string[]).length === 0) read.pop();
        json(response, 200, {
          range: decodeURIComponent(values[1] as string),
          majorDimension: "ROWS",
          ...(read.length > 0 ? { values: read } : {}),
        });
        return true;
      }
      if (method === "POST" && values[2] === ":append") {
        counts.append++;
        const { values: appended = [] } = await body();
        // After the last row with any cell in the range's columns: the table's end.
        let last = 0;
        rows.forEach((row, index) => {
          if (row.slice(target.startColumn - 1, target.endColumn).some((cell) => cell !== ""))
            last = index + 1;
        });
        write(spreadsheet, { ...target, startRow: last + 1 }, appended);
        json(response, 200, { spreadsheetId: id, updates: { updatedRows: appended.length } });
        return true;
      }
      if (method === "POST" && values[2] === ":clear") {
        counts.clear++;
        for (const row of rows.slice(target.startRow - 1, target.endRow))
          for (
            let column = target.startColumn - 1;
            column < (target.endColumn ?? row.length);
            column++
          )
            if (column < row.length) row[column] = "";
        json(response, 200, {
          spreadsheetId: id,
          clearedRange: decodeURIComponent(values[1] as string),
        });
        return true;
      }
      if (method === "PUT" && values[2] === undefined) {
        counts.update++;
        const { values: written = [] } = await body();
        write(spreadsheet, target, written);
        json(response, 200, { spreadsheetId: id, updatedRows: written.length });
        return true;
      }
    }
    apiError(response, 404, "NOT_FOUND", `no such method: ${method} ${url.pathname}`);
    return true;
  }

  function write(spreadsheet: FakeSpreadsheet, target: Range, rows: unknown[][]): void {
    const tab = spreadsheet.tabs[target.tab] as string[][];
    rows.forEach((cells, offset) => {
      const index = target.startRow - 1 + offset;
      while (tab.length <= index) tab.push([]);
      const row = tab[index] as string[];
      cells.forEach((cell, column) => {
        const at = target.startColumn - 1 + column;
        while (row.length < at) row.push("");
        row[at] = cell === null || cell === undefined ? "" : String(cell);
        counts.cellsWritten++;
      });
    });
  }

  return { handle, controls };
}

/** `'Tab'!A1:F`, `Tab!A5:F5`, `Tab!A:F`, `Tab`: the A1 notation the clients send. */
export function parseRange(text: string): Range | undefined {
  const match = /^(?:'((?:[^']|'')*)'|([^!']+))(?:!([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?)?$/.exec(text);
  if (!match) return undefined;
  const tab = match[1] !== undefined ? match[1].replace(/''/g, "'") : (match[2] as string);
  const column = (letters: string | undefined) =>
    letters ? [...letters].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0) : undefined;
  const row = (digits: string | undefined) => (digits ? Number(digits) : undefined);
  return {
    tab,
    startColumn: column(match[3]) ?? 1,
    startRow: row(match[4]) ?? 1,
    endColumn:
      column(match[5]) ?? (match[5] === undefined && match[3] ? column(match[3]) : undefined),
    endRow: row(match[6]) ?? (match[5] === undefined && match[4] ? row(match[4]) : undefined),
  };
}

function trimEnd(row: string[]): string[] {
  const copy = [...row];
  while (copy.length > 0 && copy.at(-1) === "") copy.pop();
  return copy;
}
