// Versioned migrations of the Postgres store: append only. Each runs in one transaction under an
// advisory lock, so daemons starting at once apply each exactly once.
import type pg from "pg";
import { OrchestratorError } from "../errors.js";

/** How many rows the day's quota is split into (migration 2: changing it takes a new one). */
const QUOTA_STRIPES = 16;

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
  // 2: throughput with many workers.
  //
  // The day's quota is split into QUOTA_STRIPES rows. With one row, its lock serialized every
  // claim through its commit. Now, while the day is far from its limit, a claim adds its session
  // to one stripe, then checks the sum: each other stripe can hold at most one increment not yet
  // committed (its row is locked), so the sum plus QUOTA_STRIPES - 1 is an upper bound on what
  // the day will have spent. Near the limit a claim locks every stripe in order and counts
  // exactly. Either way no number of workers can exceed the quota. A claim that loses a race
  // raises QUOTA_RACE and its writes roll back; asked again it answers from the fresh sum.
  //
  // The claim reads the queue in index order whatever the statistics say: right after a burst of
  // adds, before autovacuum has analyzed the table, the planner thinks few tasks are pending and
  // sorts them all on every claim. Without sorts and bitmap scans it walks the partial index in
  // claim order and stops at the first unlocked row.
  //
  // A session ends in one round trip. The transition is planned in TypeScript (store-rules);
  // only the rule that needs the stored attempts (the last allowed session sends the task to a
  // person) is applied here, where the row is locked.
  //
  // Every write is WAL the commit waits for, so what no query needs goes: the unique indexes on
  // seq (a tie-breaker, never looked up), the index on status (a list by status returns every
  // such row anyway; pending and running have their partial indexes), and the claimed and
  // session-ended events (the sessions table records each claim and how it ended; events keep
  // what it does not: added, cancelled, retried, reclaimed).
  (s) => `
    ALTER TABLE ${s}.tasks DROP CONSTRAINT tasks_seq_key;
    ALTER TABLE ${s}.sessions DROP CONSTRAINT sessions_seq_key;
    DROP INDEX ${s}.tasks_status;
    ALTER TABLE ${s}.quota_days ADD COLUMN stripe smallint NOT NULL DEFAULT 0;
    ALTER TABLE ${s}.quota_days DROP CONSTRAINT quota_days_pkey;
    ALTER TABLE ${s}.quota_days ADD PRIMARY KEY (day_start, stripe);
    CREATE OR REPLACE FUNCTION ${s}.claim(
      p_worker text, p_lease bigint, p_now bigint, p_day bigint, p_sessions integer,
      p_tokens bigint, p_usd double precision, p_session text, p_abandoned text
    ) RETURNS TABLE (outcome text, task jsonb, used integer, tokens bigint, usd double precision)
    LANGUAGE plpgsql SET enable_sort = off SET enable_bitmapscan = off AS $$
    DECLARE
      k constant integer := ${QUOTA_STRIPES};
      t ${s}.tasks%ROWTYPE;
      v_used integer;
      v_tokens bigint;
      v_usd double precision;
      v_stripes integer;
      v_exact boolean;
      v_stripe integer;
      v_reclaim boolean;
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
      -- Read without locking: a spent day answers at once.
      SELECT coalesce(sum(d.used), 0), coalesce(sum(d.tokens), 0), coalesce(sum(d.usd), 0), count(*)
        INTO v_used, v_tokens, v_usd, v_stripes FROM ${s}.quota_days d WHERE d.day_start = p_day;
      IF v_used >= p_sessions OR v_tokens >= p_tokens OR v_usd >= p_usd THEN
        RETURN QUERY SELECT 'quota_exhausted'::text, NULL::jsonb, v_used, v_tokens, v_usd;
        RETURN;
      END IF;
      IF v_stripes < k THEN
        INSERT INTO ${s}.quota_days (day_start, stripe)
          SELECT p_day, g FROM generate_series(0, k - 1) g ON CONFLICT DO NOTHING;
      END IF;
      v_reclaim := t.status = 'running';
      IF v_reclaim THEN
        UPDATE ${s}.sessions SET ended_at = p_now, outcome = 'error', error = p_abandoned
          WHERE task_id = t.id AND ended_at IS NULL;
      END IF;
      UPDATE ${s}.tasks SET status = 'running', lease_owner = p_worker,
          lease_expires_at = p_now + p_lease, attempts = attempts + 1, updated_at = p_now
        WHERE id = t.id RETURNING * INTO t;
      INSERT INTO ${s}.sessions (id, task_id, worker_id, started_at)
        VALUES (p_session, t.id, p_worker, p_now);
      IF v_reclaim THEN
        INSERT INTO ${s}.events (at, task_id, kind, detail) VALUES (p_now, t.id, 'reclaimed',
          jsonb_build_object('workerId', p_worker, 'sessionId', p_session));
      END IF;
      -- The slot, taken last: a stripe's lock is held only through the commit.
      v_exact := v_used + k > p_sessions;
      IF v_exact THEN
        PERFORM 1 FROM ${s}.quota_days d WHERE d.day_start = p_day ORDER BY d.stripe FOR UPDATE;
      END IF;
      -- The stripe is drawn once: random() in the WHERE clause would be drawn for every row.
      v_stripe := floor(random() * k)::integer;
      UPDATE ${s}.quota_days d SET used = d.used + 1
        WHERE d.day_start = p_day AND d.stripe = v_stripe;
      SELECT sum(d.used), sum(d.tokens), sum(d.usd) INTO v_used, v_tokens, v_usd
        FROM ${s}.quota_days d WHERE d.day_start = p_day;
      IF v_used > p_sessions OR v_tokens >= p_tokens OR v_usd >= p_usd
         OR (NOT v_exact AND v_used + k - 1 > p_sessions) THEN
        RAISE EXCEPTION 'the day''s quota was spent by a concurrent claim' USING ERRCODE = 'JQ001';
      END IF;
      RETURN QUERY SELECT 'claimed'::text, to_jsonb(t), v_used, v_tokens, v_usd;
    END $$;
    CREATE FUNCTION ${s}.finish_session(
      p_session text, p_now bigint, p_rollover bigint,
      p_turns integer, p_outcome text, p_usage jsonb, p_cost double precision, p_error text,
      p_tokens bigint, p_status text, p_needs_you text, p_refund boolean, p_requeued boolean,
      p_checkpoint jsonb, p_result jsonb, p_not_before bigint, p_out_of_sessions text
    ) RETURNS TABLE (outcome text, task jsonb, worker text)
    LANGUAGE plpgsql AS $$
    DECLARE
      ses ${s}.sessions%ROWTYPE;
      t ${s}.tasks%ROWTYPE;
      v_status text := p_status;
      v_needs_you text := p_needs_you;
    BEGIN
      SELECT * INTO ses FROM ${s}.sessions WHERE id = p_session;
      IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_session'::text, NULL::jsonb, NULL::text;
        RETURN;
      END IF;
      SELECT * INTO t FROM ${s}.tasks WHERE id = ses.task_id FOR UPDATE;
      IF t.lease_owner IS DISTINCT FROM ses.worker_id OR t.status <> 'running' THEN
        RETURN QUERY SELECT 'lease_lost'::text, to_jsonb(t), ses.worker_id;
        RETURN;
      END IF;
      IF p_requeued AND t.attempts >= t.max_attempts THEN
        v_status := 'needs_you';
        v_needs_you := format(p_out_of_sessions, t.attempts);
      END IF;
      UPDATE ${s}.sessions SET ended_at = p_now, turns = p_turns, outcome = p_outcome,
          usage = p_usage, cost_usd = p_cost, error = p_error,
          counts_quota = counts_quota AND NOT p_refund
        WHERE id = p_session;
      -- Tokens spent are spent, refunded session or not; the slot of a refunded one goes back.
      -- Any stripe will do: only the day's sum counts.
      IF p_tokens > 0 OR p_cost > 0 OR p_refund THEN
        INSERT INTO ${s}.quota_days AS d (day_start, stripe, used, tokens, usd) VALUES (
            floor((ses.started_at - p_rollover) / 86400000.0)::bigint * 86400000 + p_rollover,
            floor(random() * ${QUOTA_STRIPES})::integer, CASE WHEN p_refund THEN -1 ELSE 0 END,
            p_tokens, coalesce(p_cost, 0))
          ON CONFLICT (day_start, stripe) DO UPDATE SET used = d.used + excluded.used,
            tokens = d.tokens + excluded.tokens, usd = d.usd + excluded.usd;
      END IF;
      UPDATE ${s}.tasks SET status = v_status, lease_owner = NULL, lease_expires_at = NULL,
          updated_at = p_now, checkpoint = coalesce(p_checkpoint, checkpoint),
          result = coalesce(p_result, result), not_before = p_not_before, needs_you = v_needs_you,
          attempts = attempts - CASE WHEN p_refund THEN 1 ELSE 0 END
        WHERE id = t.id RETURNING * INTO t;
      RETURN QUERY SELECT 'finished'::text, to_jsonb(t), ses.worker_id;
    END $$;`,
  // 3: scheduled jobs, their runs and their alerts. A job's next due time moves by compare-and-
  // set, so of many daemons exactly one runs each slot; one open alert per job and cause.
  (s) => `
    CREATE TABLE ${s}.jobs (
      name text PRIMARY KEY,
      next_due_at bigint,
      registered_at bigint NOT NULL
    );
    CREATE TABLE ${s}.job_runs (
      id text PRIMARY KEY,
      job text NOT NULL,
      scheduled_for bigint,
      started_at bigint NOT NULL,
      ended_at bigint,
      outcome text NOT NULL CHECK (outcome IN ('running','ok','error','timed_out','missed','skipped')),
      error_code text,
      error_message text,
      fix text,
      retryable boolean,
      manual boolean NOT NULL DEFAULT false,
      worker_id text,
      seq bigserial
    );
    CREATE INDEX job_runs_job ON ${s}.job_runs (job, started_at DESC, seq DESC);
    CREATE TABLE ${s}.alerts (
      id text PRIMARY KEY,
      job text NOT NULL,
      cause text NOT NULL,
      message text NOT NULL,
      code text,
      fix text,
      opened_at bigint NOT NULL,
      notified_at bigint NOT NULL,
      closed_at bigint,
      acked_at bigint,
      task_id text,
      seq bigserial
    );
    CREATE UNIQUE INDEX alerts_open ON ${s}.alerts (job, cause) WHERE closed_at IS NULL;`,
  // 4: per-task turn limits, and tasks that wait for others (a split task for its parts). The
  // claim is migration 2's with one more condition on a pending task: all it waits for is done.
  (s) => `
    ALTER TABLE ${s}.tasks ADD COLUMN depends_on text[];
    ALTER TABLE ${s}.tasks ADD COLUMN max_turns integer;
    ${claimWaitingForDependencies(s)}`,
];

// Migration 2's claim function, its pending task also waiting for every task it depends on.
function claimWaitingForDependencies(s: string): string {
  const previous = (MIGRATIONS[1] as (s: string) => string)(s);
  const start = previous.indexOf(`CREATE OR REPLACE FUNCTION ${s}.claim(`);
  const end = previous.indexOf("END $$;", start) + "END $$;".length;
  const pending = "WHERE status = 'pending' AND (not_before IS NULL OR not_before <= p_now)";
  const claim = previous.slice(start, end);
  if (start < 0 || !claim.includes(pending))
    throw new Error("migration 2's claim is not as expected");
  return claim.replace(
    pending,
    `${pending}
            AND (depends_on IS NULL OR NOT EXISTS (SELECT 1 FROM unnest(depends_on) d
              JOIN ${s}.tasks p ON p.id = d WHERE p.status <> 'done'))`,
  );
}

/** How many migrations this version of the package knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Quotes an identifier for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Applies the migrations not yet applied to `schema`, each in its own transaction, holding a
 * transaction-level advisory lock keyed on the schema: a second daemon starting at the same
 * moment waits, then finds them applied. Returns the versions it applied. `upTo` stops at an
 * older version (tests of upgrades).
 */
export async function applyMigrations(
  client: pg.ClientBase,
  schema: string,
  upTo: number = MIGRATIONS.length,
): Promise<number[]> {
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
        throw new OrchestratorError(
          "STORE_FAILED",
          `the database schema ${schema} is at version ${current}, newer than this version (${MIGRATIONS.length}) knows: upgrade it`,
          { remedy: "upgrade" },
        );
      }
      const migration = current < upTo ? MIGRATIONS[current] : undefined;
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
