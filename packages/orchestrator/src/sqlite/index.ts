/**
 * `@jada/orchestrator/sqlite`: the `TaskStore` on an embedded SQLite file (better-sqlite3).
 *
 * @packageDocumentation
 */
export { createSqliteTaskStore, type SqliteTaskStoreOptions } from "./sqlite-store.js";
