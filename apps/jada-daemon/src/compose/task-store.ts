// The one place that decides where the task store lives: PostgreSQL when a URL is given, else
// SQLite in the data directory.
import { mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { JobStore, TaskStore } from "@jada/orchestrator";
import type { JadaConfig } from "../config/schema.js";
import { JadaCliError } from "../errors.js";

/** Where the store is, as said to a person (never with a password). */
export interface OpenedTaskStore {
  /** The tasks, and the jobs with their runs and alerts, in one database. */
  store: TaskStore & JobStore;
  /** The data directory, when the store is SQLite in it. */
  dataDir?: string | undefined;
  /** The SQLite file, when the store is one (readiness checks it is still there). */
  file?: string | undefined;
  /** `sqlite (/path/jada.db)` or `postgres (postgres://user:***@host/db, schema jada)`. */
  where: string;
}

/** What picks the store: the config, the environment, and the `--data-dir` flag. */
export interface TaskStoreSource {
  config: JadaConfig;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  dataDirFlag?: string | undefined;
}

/** The PostgreSQL URL in force (`JADA_DATABASE_URL` wins over `database.url`), if any. */
export function databaseUrl(source: Pick<TaskStoreSource, "config" | "env">): string | undefined {
  const url = source.env["JADA_DATABASE_URL"] || source.config.database.url;
  if (url === undefined || url === "") return undefined;
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new JadaCliError(
      "USAGE",
      "JADA_DATABASE_URL must be a postgres:// URL (unset it to use SQLite in the data directory)",
    );
  return url;
}

/** A database URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/** How a Postgres store is named to a person. */
export function postgresWhere(url: string, schema: string): string {
  return `postgres (${redactUrl(url)}, schema ${schema})`;
}

/**
 * The data directory: `--data-dir`, else `JADA_DATA_DIR`, else `./.jada/`, created (mode 0700)
 * on first use. A path that exists and is not a directory is a clear error.
 */
export function dataDir(source: Pick<TaskStoreSource, "env" | "cwd" | "dataDirFlag">): string {
  const dir = resolve(source.cwd, source.dataDirFlag ?? source.env["JADA_DATA_DIR"] ?? ".jada");
  const kind = statSync(dir, { throwIfNoEntry: false });
  if (kind !== undefined && !kind.isDirectory())
    throw new JadaCliError(
      "USAGE",
      `the data directory ${dir} is a file, not a directory: point --data-dir (or JADA_DATA_DIR) at a directory`,
    );
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new JadaCliError("USAGE", `cannot create the data directory ${dir} (${code})`, {
      cause: error,
    });
  }
  return dir;
}

/** Opens the task store the config and environment name, migrating it when needed. */
export async function openTaskStore(source: TaskStoreSource): Promise<OpenedTaskStore> {
  const { config } = source;
  const quota = {
    dailySessions: config.agent.dailySessions,
    rolloverMinutes: config.agent.rolloverMinutes,
    dailyTokens: config.agent.dailyTokens,
    dailyUsd: config.agent.dailyUsd,
  };
  const url = databaseUrl(source);
  try {
    if (url !== undefined) {
      const { openPostgresTaskStore } = await import("@jada/orchestrator/postgres");
      const store = await openPostgresTaskStore({
        connectionString: url,
        schema: config.database.schema,
        ...quota,
      });
      return { store, where: postgresWhere(url, config.database.schema) };
    }
    const dir = dataDir(source);
    const path = join(dir, "jada.db");
    const { createSqliteTaskStore } = await import("@jada/orchestrator/sqlite");
    return {
      store: createSqliteTaskStore({ path, ...quota }),
      where: `sqlite (${path})`,
      dataDir: dir,
      file: path,
    };
  } catch (error) {
    if (error instanceof JadaCliError) throw error;
    throw new JadaCliError("STORE", (error as Error).message, { cause: error });
  }
}
