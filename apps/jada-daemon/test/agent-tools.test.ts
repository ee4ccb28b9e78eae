// The agent's own tools in a real session: the real SDK against the loopback Messages API with
// scripted tool calls, the tools composed from the config as the daemon composes them, moto for
// the staging deploy, the loopback Google for the tokens. The agent lints a site with a {{ }} in
// a script, fixes it through write_file, deploys to staging and asks a person to promote; what
// it may not do is refused and the session goes on.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { S3Client } from "@aws-sdk/client-s3";
import { type GoogleFake, startGoogleFake } from "@jada/google-token/testing";
import { createAnthropicModel, type Logger, runNextTask } from "@jada/orchestrator";
import { createSqliteTaskStore } from "@jada/orchestrator/sqlite";
import { type FakeReply, startMessagesFake } from "@jada/orchestrator/testing";
import { createTestBucket, createTestDistribution } from "@jada/static-deploy/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAgentTools } from "../src/agent/tools.js";
import { daemonJobs } from "../src/compose/jobs.js";
import { createServices } from "../src/compose/services.js";
import { loadConfig } from "../src/config/load.js";
import { authorizeGoogle, writeGoogleSetup } from "./consent.js";

const endpoint = inject("motoEndpoint");
if (endpoint === undefined)
  console.warn("[daemon] agent tools tests skipped: moto_server is not on PATH");
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const ACCOUNT = "ops@sailjada.com";

describe.skipIf(endpoint === undefined)("the agent's tools in a session", () => {
  let root: string;
  let outside: string;
  let google: GoogleFake;
  let env: Record<string, string>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "jada-agent-tools-"));
    outside = await mkdtemp(join(tmpdir(), "jada-outside-"));
    const s3 = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials });
    const cloudFront = new CloudFrontClient({ region: "us-east-1", endpoint, credentials });
    const bucket = await createTestBucket(s3);
    const distributionId = await createTestDistribution(cloudFront, bucket);
    await mkdir(join(root, "site"));
    await writeFile(join(root, "site", "big.txt"), "y".repeat(20_000));
    await writeFile(
      join(root, "site", "index.html"),
      "<p>Book</p><script>var price = {{ price }};</script>",
    );
    // A link in the workspace (its second directory) that leads out of it.
    await mkdir(join(root, "notes"));
    await symlink(outside, join(root, "notes", "escape"));
    google = await startGoogleFake();
    await writeGoogleSetup(root, google, {
      extra: {
        aws: { region: "us-east-1" },
        sites: {
          sailjada: {
            dir: "site",
            staging: { bucket, prefix: "staging", distributionId },
            production: { bucket, distributionId },
          },
        },
      },
    });
    env = {
      JADA_DATA_DIR: join(root, "data"),
      AWS_ENDPOINT_URL_S3: endpoint as string,
      AWS_ENDPOINT_URL_CLOUDFRONT: endpoint as string,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    const auth = await authorizeGoogle(ACCOUNT, { cwd: root, env });
    if (auth.code !== 0) throw new Error(auth.stderr);
  }, 60_000);

  afterAll(async () => {
    await google?.close();
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it("lints, fixes through write_file, deploys to staging and asks a person to promote; refuses what is not allowed", async () => {
    const use = (id: string, name: string, input: unknown): FakeReply => ({
      content: [{ type: "tool_use", id, name, input }],
    });
    const script: FakeReply[] = [
      use("t1", "lint_site", { site: "sailjada" }),
      use("t2", "write_file", { path: "../outside.txt", content: "x" }),
      use("t3", "write_file", { path: join(root, "notes", "escape", "evil.txt"), content: "x" }),
      use("t4", "run_job", { name: "tokens-check" }),
      use("t5", "read_file", { path: "index.html" }),
      use("t5b", "read_file", { path: "big.txt" }),
      use("t6", "write_file", {
        path: "index.html",
        content: "<p>Book</p><script>var price = 42;</script>",
      }),
      use("t7", "lint_site", { site: "sailjada" }),
      use("t8", "check_tokens", {}),
      use("t9", "deploy_staging", { site: "sailjada" }),
      use("t10", "request_human", {
        message: "Staging is fixed and deployed. Promote it: jada deploy sailjada --promote",
      }),
    ];
    const fake = await startMessagesFake(
      ({ call }) => script[call - 1] ?? (script.at(-1) as FakeReply),
    );
    const io = { stdout: { write() {} }, stderr: { write() {} }, env, cwd: root };
    const services = createServices(await loadConfig({ env, cwd: root }), io);
    await mkdir(join(root, "data"), { recursive: true });
    const store = createSqliteTaskStore({ path: join(root, "data", "jada.db") });
    const logged: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const logger: Logger = {
      info: (fields, message) =>
        void logged.push({ fields: fields as Record<string, unknown>, message }),
      warn: (fields, message) =>
        void logged.push({ fields: fields as Record<string, unknown>, message }),
      error: (fields, message) =>
        void logged.push({ fields: fields as Record<string, unknown>, message }),
    };
    try {
      const jobs = daemonJobs({ services, store });
      const tools = await createAgentTools({ services, store, jobs, logger });
      expect(tools.map((tool) => tool.name).sort()).toEqual(
        [
          "check_health",
          "check_tokens",
          "deploy_staging",
          "job_status",
          "lint_site",
          "list_files",
          "list_releases",
          "read_file",
        ].sort(),
      );
      // write_file is not in the default list: this test's config allows it, as a team would.
      const config = {
        ...services.config,
        agent: {
          ...services.config.agent,
          workspaces: [join(root, "site"), join(root, "notes")],
          tools: [
            "read_file",
            "write_file",
            "lint_site",
            "deploy_staging",
            "check_tokens",
          ] as never,
        },
      };
      const allowed = await createAgentTools({
        services: { ...services, config },
        store,
        jobs,
        logger,
      });
      const task = await store.add({
        title: "Fix the booking widget",
        prompt: "Lint, fix, stage.",
      });
      const model = createAnthropicModel(
        new Anthropic({ apiKey: "sk-ant-test", baseURL: fake.baseURL, maxRetries: 0 }),
        { model: "claude-test" },
      );
      const ran = await runNextTask({ store, model, system: "s", workerId: "w1", tools: allowed });
      expect(ran.kind === "ran" && ran.session.outcome).toBe("needs_you");
      const after = await store.get(task.id);
      expect(after).toMatchObject({ status: "needs_you" });
      expect(after?.needsYou).toContain("jada deploy sailjada --promote");

      // What each call answered, as the model saw it.
      const results = new Map<string, { content: string; is_error?: boolean }>();
      for (const request of fake.requests)
        for (const message of request.messages)
          for (const block of message.content)
            if (block.type === "tool_result") results.set(block.tool_use_id, block);
      const first = JSON.parse(results.get("t1")?.content ?? "{}");
      expect(first.errors).toBeGreaterThan(0);
      expect(JSON.stringify(first.findings)).toContain("brace/unrendered-in-script");
      expect(results.get("t2")).toMatchObject({ is_error: true });
      expect(results.get("t2")?.content).toMatch(/outside the workspace/);
      expect(results.get("t3")).toMatchObject({ is_error: true });
      expect(results.get("t3")?.content).toMatch(/outside the workspace/);
      expect(results.get("t4")).toMatchObject({ is_error: true, content: "unknown tool run_job" });
      expect(results.get("t5")?.content).toContain("{{ price }}");
      // A long file comes in parts, with where to go on from.
      expect(results.get("t5b")?.content).toMatch(
        /^y{7800}\n\[characters 0-7800 of 20000; read on with offset 7800\]$/,
      );
      expect(JSON.parse(results.get("t7")?.content ?? "{}")).toMatchObject({ errors: 0 });
      const deployed = JSON.parse(results.get("t9")?.content ?? "{}");
      expect(deployed).toMatchObject({
        site: "sailjada",
        stage: "staging",
        promote: "jada deploy sailjada --promote",
      });
      expect(deployed.uploaded).toBeGreaterThan(0);
      // Nothing was written outside; the fix is in the site.
      await expect(readFile(join(root, "outside.txt"))).rejects.toThrow();
      await expect(readFile(join(outside, "evil.txt"))).rejects.toThrow();
      expect(await readFile(join(root, "site", "index.html"), "utf8")).toContain("price = 42");
      // The tokens' health, and not one of the store's secrets.
      const tokens = results.get("t8")?.content ?? "";
      expect(JSON.parse(tokens)).toEqual([
        expect.objectContaining({ account: ACCOUNT, status: "ok" }),
      ]);
      const stored = JSON.parse(
        await readFile(join(root, "state", "google-tokens.json"), "utf8"),
      ) as {
        accounts: Record<string, { refreshToken: string; accessToken?: string }>;
      };
      for (const account of Object.values(stored.accounts)) {
        expect(tokens).not.toContain(account.refreshToken);
        if (account.accessToken) expect(tokens).not.toContain(account.accessToken);
      }
      expect(tokens).not.toContain("GOCSPX-test");
      // Every call logged with its input (a file's content as its size) and its result's size.
      const write = logged.find((line) => line.message === "tool write_file");
      expect(write?.fields).toMatchObject({
        input: { path: "index.html", content: "(43 characters)" },
      });
      expect(
        logged.find((line) => line.message === "tool deploy_staging")?.fields["resultChars"],
      ).toBeGreaterThan(0);
      expect(
        logged.some((line) =>
          /^tool write_file failed: .*outside the workspace/.test(line.message),
        ),
      ).toBe(true);
    } finally {
      await store.close();
      await fake.close();
    }
  }, 60_000);
});
