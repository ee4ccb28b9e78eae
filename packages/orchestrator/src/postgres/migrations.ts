// Versioned migrations of the Postgres store: append only. Each runs in one transaction under an
// advisory lock, so daemons starting at once apply each exactly once.
import type pg from "pg";

/** Migration `n` (1-based) is `MIGRATIONS[n - 1]`; `s` is the quoted schema name. */
const MIGRATIONS: Array<(s: string) => string> = [
  (s) => `
    CREATE TABLE ${s}.tasks (
      seq bigserial UNIQUE,
      id text PRIMARY KEY,
      title text NOT NULL,
      prompt text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending','running','needs_you','done','failed','cancelled')),
      priority integer NOT NULL DEFAULT 0,
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL DEFAULT 5,
      not_before bigint,
      parent_id text REFERENCES ${s}.tasks(id),
      checkpoint jsonb,
      result jsonb,
      needs_you text,
      lease_owner text,
      lease_expires_at bigint,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL
    );
    -- Partial indexes in claim order: the claim reads the first unlocked row of one of them.
    CREATE INDEX tasks_pending ON ${s}.tasks (priority DESC, created_at, seq) WHERE status = 'pending';
    CREATE INDEX tasks_running ON ${s}.tasks (priority DESC, created_at, seq) WHERE status = 'running';
    CREATE INDEX tasks_status ON ${s}.tasks (status, created_at, seq);
    CREATE TABLE ${s}.sessions (
      seq bigserial UNIQUE,
      id text PRIMARY KEY,
      task_id text NOT NULL REFERENCES ${s}.tasks(id),
      worker_id text NOT NULL,
      started_at bigint NOT NULL,
      ended_at bigint,
      turns integer NOT NULL DEFAULT 0,
      outcome text,
      usage jsonb,
      cost_usd double precision,
      error text,
      counts_quota boolean NOT NULL DEFAULT true
    );
    CREATE INDEX sessions_task ON ${s}.sessions (task_id, started_at);
    CREATE TABLE ${s}.events (
      id bigserial PRIMARY KEY,
      at bigint NOT NULL,
      task_id text,
      kind text NOT NULL,
      detail jsonb
    );
    -- One row per quota day: a claim takes its slot with one guarded UPDATE of this row.
    CREATE TABLE ${s}.quota_days (
      day_start bigint PRIMARY KEY,
      used integer NOT NULL DEFAULT 0,
      tokens bigint NOT NULL DEFAULT 0,
      usd double precision NOT NULL DEFAULT 0
    );
    -- Wake-ups: every daemon LISTENs; the notice goes out when the adding transaction commits.
    CREATE FUNCTION ${s}.notify_task_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify(TG_TABLE_SCHEMA || '.task_added', NEW.id);
      RETURN NULL;
    END $$;
    CREATE TRIGGER task_added AFTER INSERT ON ${s}.tasks
      FOR EACH ROW EXECUTE FUNCTION ${s}.notify_task_added();
    -- The claim in one round trip: a runnable task locked with SKIP LOCKED (so workers never wait
    -- on each other's candidates), then the day's slot by a guarded UPDATE of the quota row (which
    -- serializes only that increment), then the lease, the session and the event.
    CREATE FUNCTION ${s}.claim(
      p_worker text, p_lease bigint, p_now bigint, p_day bigint, p_sessions integer,
      p_tokens bigint, p_usd double precision, p_session text, p_abandoned text
    ) RETURNS TABLE (outcome text, task jsonb, used integer, tokens bigint, usd double precision)
    LANGUAGE plpgsql AS $$
    DECLARE
      t ${s}.tasks%ROWTYPE;
      q ${s}.quota_days%ROWTYPE;
    BEGIN
      SELECT * INTO t FROM ${s}.tasks
        WHERE status = 'running' AND lease_expires_at <= p_now
        ORDER BY priority DESC, created_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED;
      IF NOT FOUND THEN
        SELECT * INTO t FROM ${s}.tasks
          WHERE status = 'pending' AND (not_before IS NULL OR not_before <= p_now)
          ORDER BY priority DESC, created_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED;
      END IF;
      IF NOT FOUND THEN
        RETURN QUERY SELECT 'idle'::text, NULL::jsonb, 0, 0::bigint, 0::double precision;
        RETURN;
      END IF;
      INSERT INTO ${s}.quota_days (day_start) VALUES (p_day) ON CONFLICT DO NOTHING;
      UPDATE ${s}.quota_days d SET used = d.used + 1
        WHERE d.day_start = p_day AND d.used < p_sessions
          AND (p_tokens IS NULL OR d.tokens < p_tokens) AND (p_usd IS NULL OR d.usd < p_usd)
        RETURNING * INTO q;
      IF NOT FOUND THEN
        RETURN QUERY SELECT 'quota_exhausted'::text, NULL::jsonb, d.used, d.tokens, d.usd
          FROM ${s}.quota_days d WHERE d.day_start = p_day;
        RETURN;
      END IF;
      IF t.status = 'running' THEN
        UPDATE ${s}.sessions SET ended_at = p_now, outcome = 'error', error = p_abandoned
          WHERE task_id = t.id AND ended_at IS NULL;
      END IF;
      UPDATE ${s}.tasks SET status = 'running', lease_owner = p_worker,
          lease_expires_at = p_now + p_lease, attempts = attempts + 1, updated_at = p_now
        WHERE id = t.id;
      INSERT INTO ${s}.sessions (id, task_id, worker_id, started_at)
        VALUES (p_session, t.id, p_worker, p_now);
      INSERT INTO ${s}.events (at, task_id, kind, detail) VALUES (
        p_now, t.id, CASE WHEN t.status = 'running' THEN 'reclaimed' ELSE 'claimed' END,
        jsonb_build_object('workerId', p_worker, 'sessionId', p_session));
      RETURN QUERY SELECT 'claimed'::text, to_jsonb(r), q.used, q.tokens, q.usd
        FROM ${s}.tasks r WHERE r.id = t.id;
    END $$;`,
];

/** How many migrations this version of the package knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Quotes an identifier for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Applies the migrations not yet applied to `schema`, each in its own transaction, holding a
 * transaction-level advisory lock keyed on the schema: a second daemon starting at the same
 * moment waits, then finds them applied. Returns the versions it applied.
 */
export async function applyMigrations(client: pg.ClientBase, schema: string): Promise<number[]> {
  const s = quoteIdent(schema);
  const applied: number[] = [];
  for (;;) {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`jada.migrate:${schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ version: number | null }>(
        `SELECT max(version) AS version FROM ${s}.schema_migrations`,
      );
      const current = rows[0]?.version ?? 0;
      if (current > MIGRATIONS.length) {
        throw new Error(
          `the database schema ${schema} is at version ${current}, newer than this jada (${MIGRATIONS.length}): upgrade jada`,
        );
      }
      const migration = MIGRATIONS[current];
      if (migration === undefined) {
        await client.query("COMMIT");
        return applied;
      }
      await client.query(migration(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [current + 1]);
      await client.query("COMMIT");
      applied.push(current + 1);
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  }
}
