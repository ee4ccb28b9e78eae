import { randomBytes } from "node:crypto";
import pg from "pg";

/** The test server: `JADA_TEST_DATABASE_URL`, else the local trust-auth one. */
export const TEST_DATABASE_URL =
  process.env["JADA_TEST_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * Whether PostgreSQL answers at {@link TEST_DATABASE_URL}. When it does not: with `CI=true` this
 * throws (CI must have it), locally it returns a reason to print and skip on.
 */
export async function postgresAvailable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    connectionTimeoutMillis: 3000,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return { ok: true };
  } catch (error) {
    const reason = `PostgreSQL is not reachable at ${TEST_DATABASE_URL.replace(/\/\/[^@]*@/, "//")}: ${(error as Error).message}`;
    if (process.env["CI"] === "true") throw new Error(`${reason} (CI=true requires it)`);
    return { ok: false, reason };
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema name for one test (drop it with {@link dropTestSchema}). */
export function testSchemaName(): string {
  return `jada_test_${randomBytes(6).toString("hex")}`;
}

/** Drops a test schema and everything in it. */
export async function dropTestSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replaceAll('"', '""')}" CASCADE`);
  } finally {
    await client.end();
  }
}
