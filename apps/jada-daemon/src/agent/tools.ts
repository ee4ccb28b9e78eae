// The agent's own tools: the team's operations, each a thin call of a library (lint, a staging
// deploy, releases, the host's health, the tokens, the jobs) and file tools confined to the
// workspace. Production is out of the agent's reach: deploy_staging answers with the exact
// promote command for a person, which the agent passes on through request_human. Every call is
// logged with its input (secrets redacted) and the size of its result, and no result may flood
// the context window: past MAX_RESULT_CHARS it is cut, with a note that says how to ask for more.
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import {
  defineTool,
  type JobDefinition,
  type JobStore,
  type Logger,
  type Scheduler,
  type Tool,
} from "@jada/orchestrator";
import { z } from "zod";
import { instanceAccess } from "../compose/instance-access.js";
import type { Services } from "../compose/services.js";
import { siteContext, siteReleases, targetOf } from "../compose/sites.js";
import { DEFAULT_AGENT_TOOLS } from "../config/schema.js";
import { renderFindingFix } from "../render/fixes.js";
import { describeJobs } from "../status/jobs.js";
import { describeTokens } from "../status/tokens.js";
import { createWorkspace, type Workspace } from "./workspace.js";

/** The most characters of one tool result; past it the result is cut, with a note. */
export const MAX_RESULT_CHARS = 8000;
const READ_LIMIT = MAX_RESULT_CHARS - 200;

/** What the tools are made of. */
export interface AgentToolsContext {
  services: Services;
  store: JobStore;
  jobs: readonly JobDefinition[];
  /** The scheduler that runs jobs now; run_job is refused without one. */
  scheduler?: Pick<Scheduler, "runNow"> | undefined;
  logger: Logger;
}

/** The tools `agent.tools` allows, over the workspace `agent.workspaces` (default: the sites' dirs). */
export async function createAgentTools(context: AgentToolsContext): Promise<Tool[]> {
  const { services } = context;
  const agent = services.config.agent;
  const workspace = await createWorkspace(
    (agent.workspaces ?? Object.values(services.config.sites).map((site) => site.dir)).map((dir) =>
      resolve(services.base, dir),
    ),
  );
  const all = buildTools(context, workspace);
  const allowed = new Set<string>(agent.tools ?? DEFAULT_AGENT_TOOLS);
  return all.filter((tool) => allowed.has(tool.name)).map((tool) => logged(tool, context.logger));
}

function buildTools(context: AgentToolsContext, workspace: Workspace): Tool[] {
  const { services } = context;
  const site = z.string().describe("a site of the config (sites.NAME)");
  return [
    defineTool({
      name: "read_file",
      description: `Read a text file of the workspace (${workspace.roots.join(", ")}); a path relative to the first directory. Long files come in parts: give offset (characters) and limit.`,
      input: z.object({
        path: z.string(),
        offset: z.number().int().min(0).default(0),
        // Room for the note that says where to read on: the bound would cut it off.
        limit: z.number().int().min(1).max(READ_LIMIT).default(READ_LIMIT),
      }),
      run: async ({ path, offset, limit }) => {
        const text = await readFile(await workspace.resolve(path), "utf8");
        const part = text.slice(offset, offset + limit);
        return offset + part.length < text.length
          ? `${part}\n[characters ${offset}-${offset + part.length} of ${text.length}; read on with offset ${offset + part.length}]`
          : part;
      },
    }),
    defineTool({
      name: "list_files",
      description: "List a directory of the workspace: names, kinds and sizes.",
      input: z.object({ path: z.string().default(".") }),
      run: async ({ path }) => {
        const dir = await workspace.resolve(path);
        const entries = await readdir(dir, { withFileTypes: true });
        return Promise.all(
          entries.map(async (entry) => ({
            name: entry.name,
            kind: entry.isDirectory() ? "dir" : entry.isSymbolicLink() ? "link" : "file",
            ...(entry.isFile() ? { bytes: (await stat(`${dir}/${entry.name}`)).size } : {}),
          })),
        );
      },
    }),
    defineTool({
      name: "write_file",
      description: "Write a text file of the workspace (whole content).",
      input: z.object({ path: z.string(), content: z.string() }),
      run: async ({ path, content }) => {
        const file = await workspace.resolve(path, true);
        await writeFile(file, content);
        return {
          written: relative(workspace.roots[0] ?? "", file),
          bytes: Buffer.byteLength(content),
        };
      },
    }),
    defineTool({
      name: "lint_site",
      description:
        "Lint a site's files for unrendered template braces ({{ }}) and inline scripts that do not parse. Findings as data.",
      input: z.object({ site }),
      run: async (input) => {
        const found = await siteContext(services, input.site);
        const result = await found.lib.lintPaths([found.dir], {
          extensions: services.config.lint.extensions,
          cwd: found.dir,
        });
        return {
          files: result.files,
          errors: result.errorCount,
          warnings: result.warningCount,
          findings: result.findings,
        };
      },
    }),
    defineTool({
      name: "deploy_staging",
      description:
        "Deploy a site to its staging stage. Production is not yours to deploy: the result names the command that promotes staging; pass it to a person with request_human.",
      input: z.object({ site }),
      run: async (input) => {
        const found = await siteContext(services, input.site);
        const target = targetOf(found, "staging");
        const result = await found.lib.deploySite({
          site: input.site,
          dir: found.dir,
          mode: found.site.mode,
          stage: "staging",
          target,
          store: found.aws.createS3ObjectStore(found.clients.s3, target.bucket),
          cdn: found.aws.createCloudFrontCdn(found.clients.cloudFront),
          cacheRules: found.site.cache,
          maxInvalidationPaths: found.site.invalidation.maxPaths,
          waitForInvalidation: false,
          concurrency: found.site.concurrency,
        });
        return {
          site: result.site,
          stage: result.stage,
          release: result.release,
          uploaded: result.uploaded.length,
          unchanged: result.unchanged,
          upToDate: result.upToDate,
          ...(target.url ? { url: target.url } : {}),
          promote: `jada deploy ${input.site} --promote`,
          note: "To publish, call request_human with the promote command: production is deployed by a person.",
        };
      },
    }),
    defineTool({
      name: "list_releases",
      description: "A site's releases on a stage, newest first, the live one marked.",
      input: z.object({ site, stage: z.enum(["staging", "production"]).default("production") }),
      run: async (input) => {
        return siteReleases(await siteContext(services, input.site), input.stage);
      },
    }),
    defineTool({
      name: "check_health",
      description: "The agent host's health: a verdict and findings, each with its fix.",
      input: z.object({
        instance: z.string().describe("an instance of the config (instances.NAME)"),
      }),
      run: async (input) => {
        const { configured, api, getAccess } = await instanceAccess(services, input.instance, 1);
        const { checkHealth, createOpenSshShell } = await import("@jada/lightsail-health");
        const report = await checkHealth({
          instance: input.instance,
          api,
          shell: createOpenSshShell({ getAccess, port: configured.port }),
          unit: configured.unit,
          since: configured.since,
          logs: configured.logs,
          thresholds: configured.thresholds,
        });
        return {
          verdict: report.verdict,
          findings: report.findings.map((finding) => ({
            severity: finding.severity,
            id: finding.id,
            summary: finding.summary,
            fix: renderFindingFix(finding),
          })),
          unobserved: report.unobserved,
        };
      },
    }),
    defineTool({
      name: "check_tokens",
      description:
        "Whether each Google account's token works (a refresh), with the fix of each that does not. Never a token.",
      input: z.object({}),
      run: async () => {
        const google = await services.google();
        return describeTokens(google.manager, true);
      },
    }),
    defineTool({
      name: "job_status",
      description:
        "The daemon's jobs: schedule, last and next run, failures in a row, the open alert and its fix.",
      input: z.object({}),
      run: () => describeJobs(context.store, context.jobs),
    }),
    defineTool({
      name: "run_job",
      description: "Run one of the daemon's jobs now; answers with the run's outcome.",
      input: z.object({ name: z.string() }),
      run: async ({ name }) => {
        if (context.scheduler === undefined) throw new Error("jobs cannot be run from here");
        const run = await context.scheduler.runNow(name);
        return { outcome: run.outcome, error: run.errorMessage, fix: run.fix };
      },
    }),
  ] as Tool[];
}

// A tool whose every call is logged (input redacted, result size) and whose result is bounded.
function logged(tool: Tool, logger: Logger): Tool {
  return {
    ...tool,
    async run(input, toolContext) {
      let text: string;
      try {
        const output = await tool.run(input, toolContext);
        text = typeof output === "string" ? output : JSON.stringify(output ?? null);
      } catch (error) {
        logger.warn(
          { tool: tool.name, input: redact(input), error: (error as Error).message },
          `tool ${tool.name} failed: ${(error as Error).message}`,
        );
        throw error;
      }
      logger.info(
        { tool: tool.name, input: redact(input), resultChars: text.length },
        `tool ${tool.name}`,
      );
      return bound(text);
    },
  };
}

/** A result cut at {@link MAX_RESULT_CHARS}, with a note of what was left out and how to get it. */
export function bound(text: string): string {
  if (text.length <= MAX_RESULT_CHARS) return text;
  return `${text.slice(0, MAX_RESULT_CHARS)}\n[cut: ${MAX_RESULT_CHARS} of ${text.length} characters shown; ask for less (a path, an offset and limit, one site)]`;
}

const SECRET_KEY = /token|secret|password|key|credential|authorization/i;

/** The input as logged: secret-looking fields masked, file contents as their size. */
export function redact(input: unknown): unknown {
  if (typeof input !== "object" || input === null) return input;
  return Object.fromEntries(
    Object.entries(input as Record<string, unknown>).map(([key, value]) => [
      key,
      SECRET_KEY.test(key)
        ? "***"
        : key === "content" && typeof value === "string"
          ? `(${value.length} characters)`
          : value,
    ]),
  );
}
