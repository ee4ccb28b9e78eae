/**
 * `@jada/orchestrator/postgres`: the `TaskStore` on PostgreSQL, for several daemons sharing
 * one queue and one daily quota.
 *
 * @packageDocumentation
 */
export { SCHEMA_VERSION } from "./migrations.js";
export {
  migratePostgres,
  openPostgresTaskStore,
  type PostgresTaskStore,
  type PostgresTaskStoreOptions,
} from "./postgres-store.js";
