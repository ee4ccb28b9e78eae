// The incident that started jada, replayed through `jada jobs` and `jada alerts` (in process,
// through main): a Google refresh token revoked, the tokens-check job alerting at its first
// failure with the command that fixes it, a webhook POST, one task for a person, then the
// recovery. Against the loopback Google of @jada/google-token/testing.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GoogleFake, startGoogleFake } from "@jada/google-token/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeGoogle, startWebhook, writeGoogleSetup } from "./consent.js";
import { runJada } from "./run-jada.js";

let root: string;
let google: GoogleFake;
let hookUrl: string;
let posts: Array<{ event: string; text: string; job: string; fix: string | null }> = [];
let closeHook: () => Promise<void>;
const SECRET_PATH = "/services/T0001/B0002/hook-secret-x9";

const jada = (args: string[], onStderr?: (text: string) => void) =>
  runJada(args, {
    cwd: root,
    env: { JADA_DATA_DIR: join(root, "data"), JADA_ALERT_WEBHOOK_URL: hookUrl },
    ...(onStderr ? { onStderr } : {}),
  });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "jada-jobs-cli-"));
  google = await startGoogleFake();
  const hook = await startWebhook<{ event: string; text: string; job: string; fix: string | null }>(
    SECRET_PATH,
  );
  hookUrl = hook.url;
  posts = hook.received;
  closeHook = hook.close;
  await writeGoogleSetup(root, google);
  // A person consents once, as in `jada auth google`.
  const auth = await authorizeGoogle("ops@sailjada.com", {
    cwd: root,
    env: { JADA_DATA_DIR: join(root, "data") },
  });
  if (auth.code !== 0) throw new Error(`consent failed: ${auth.stderr}`);
});

afterAll(async () => {
  await closeHook();
  await google.close();
  await rm(root, { recursive: true, force: true });
});

describe("jada jobs and jada alerts", () => {
  it("lists the built-in jobs, never run yet", async () => {
    const listed = JSON.parse((await jada(["jobs", "list", "--json"])).stdout);
    expect(
      listed.map((job: { name: string; schedule: string; lastRun: unknown }) => [
        job.name,
        job.schedule,
        job.lastRun,
      ]),
    ).toEqual([
      ["tokens-check", "6h", null],
      ["self-check", "15m", null],
    ]);
  });

  it("a revoked token: alert at the first failure with the fix, once; the recovery closes it", async () => {
    google.queueRefresh("invalid_grant");
    const failed = await jada(["jobs", "run", "tokens-check"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /^tokens-check: error in \d+\.\d s: ops@sailjada\.com is revoked/,
    );
    expect(failed.stdout).toContain("\nfix: jada auth google --account ops@sailjada.com\n");
    expect(failed.stderr).toContain("[jada] ALERT tokens-check:");
    expect(posts.map((post) => [post.event, post.job, post.fix])).toEqual([
      ["opened", "tokens-check", "jada auth google --account ops@sailjada.com"],
    ]);
    const tasks = JSON.parse(
      (await jada(["task", "list", "--status", "needs_you", "--json"])).stdout,
    );
    expect(tasks).toHaveLength(1);

    // Failing again: the same alert, no second POST, no second task.
    google.queueRefresh("invalid_grant");
    expect((await jada(["jobs", "run", "tokens-check"])).code).toBe(1);
    expect(posts).toHaveLength(1);
    expect(
      JSON.parse((await jada(["task", "list", "--status", "needs_you", "--json"])).stdout),
    ).toHaveLength(1);

    const [alert] = JSON.parse((await jada(["alerts", "list", "--json"])).stdout);
    expect(alert).toMatchObject({
      job: "tokens-check",
      cause: "non_retryable",
      code: "TOKEN_REVOKED",
      fix: "jada auth google --account ops@sailjada.com",
      closedAt: null,
    });
    const text = (await jada(["alerts", "list"])).stdout;
    expect(text).toContain("  fix: jada auth google --account ops@sailjada.com\n");
    const acked = await jada(["alerts", "ack", alert.id.slice(0, 8)]);
    expect(acked).toMatchObject({ code: 0, stdout: `acknowledged ${alert.id} (tokens-check)\n` });

    // The token is replaced: the next run succeeds, the recovery goes out, the task closes.
    const ok = await jada(["jobs", "run", "tokens-check"]);
    expect(ok.code).toBe(0);
    expect(posts.map((post) => post.event)).toEqual(["opened", "recovered"]);
    expect((await jada(["alerts", "list"])).stdout).toBe("no open alerts\n");
    expect(JSON.parse((await jada(["task", "show", tasks[0].id, "--json"])).stdout).status).toBe(
      "cancelled",
    );
    const history = JSON.parse((await jada(["jobs", "history", "tokens-check", "--json"])).stdout);
    expect(
      history.map((run: { outcome: string; manual: boolean }) => [run.outcome, run.manual]),
    ).toEqual([
      ["ok", true],
      ["error", true],
      ["error", true],
    ]);
    // The webhook's secret path never reaches the output.
    for (const run of [failed, ok]) expect(run.stdout + run.stderr).not.toContain("hook-secret");
  });

  it("refuses an unknown job, in the command and in the config", async () => {
    const run = await jada(["jobs", "run", "nope"]);
    expect(run).toMatchObject({
      code: 2,
      stderr: 'jada: no job "nope": the jobs are tokens-check, self-check\n',
    });
    await writeFile(join(root, "bad.json"), JSON.stringify({ jobs: { "sheet-sync": {} } }));
    const bad = await jada(["--config", "bad.json", "jobs", "list"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "jobs.sheet-sync: no such job (the jobs are tokens-check, self-check)",
    );
    expect((await jada(["alerts", "ack", ""])).stderr).toBe("jada: an alert id cannot be empty\n");
    const badHook = await runJada(["jobs", "run", "self-check"], {
      cwd: root,
      env: { JADA_DATA_DIR: join(root, "data"), JADA_ALERT_WEBHOOK_URL: "hooks.example" },
    });
    expect(badHook).toMatchObject({
      code: 2,
      stderr:
        "jada: JADA_ALERT_WEBHOOK_URL is not a URL: give the whole webhook address (https://…)\n",
    });
  });
});
