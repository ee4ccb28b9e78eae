// The one reading of a TaskQuery, shared by the SQLite and Postgres stores: the WHERE clause in
// each dialect's placeholders, and the page.
import { OrchestratorError } from "./errors.js";
import { TASK_STATUSES, type TaskCounts, type TaskQuery } from "./types.js";

/** A WHERE clause (empty when the query narrows nothing) and its values, in order. */
export interface TaskWhere {
  where: string;
  values: unknown[];
}

/**
 * The WHERE clause of a task query. `placeholder(n)` spells the n-th value (1-based) in the
 * dialect; `like` is its case-insensitive match (SQLite's LIKE is, for ASCII; Postgres needs
 * ILIKE).
 */
export function taskWhere(
  query: TaskQuery,
  placeholder: (n: number) => string = () => "?",
  like: "LIKE" | "ILIKE" = "LIKE",
): TaskWhere {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    conditions.push(sql(placeholder(values.length)));
  };
  if (query.status !== undefined) {
    if (!TASK_STATUSES.includes(query.status))
      throw new OrchestratorError("INVALID_INPUT", `no task status "${query.status}"`);
    add((p) => `status = ${p}`, query.status);
  }
  if (query.parentId !== undefined) add((p) => `parent_id = ${p}`, query.parentId);
  if (query.titleContains !== undefined && query.titleContains.trim() !== "")
    add((p) => `title ${like} ${p} ESCAPE '\\'`, `%${escapeLike(query.titleContains.trim())}%`);
  return { where: conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`, values };
}

/** The page of a query: `limit` undefined for all. Negative or fractional numbers are refused. */
export function pageOf(query: TaskQuery): { limit: number | undefined; offset: number } {
  for (const [name, value] of [
    ["limit", query.limit],
    ["offset", query.offset],
  ] as const)
    if (value !== undefined && (!Number.isInteger(value) || value < 0))
      throw new OrchestratorError("INVALID_INPUT", `${name} must be a whole number >= 0`);
  return { limit: query.limit, offset: query.offset ?? 0 };
}

/** Every status at zero. */
export function emptyCounts(): TaskCounts {
  return Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as TaskCounts;
}

// `%`, `_` and the escape itself match themselves.
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
