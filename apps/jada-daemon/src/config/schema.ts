// The light entry: every command reads the config, and only the daemon needs the rest.
import { DEFAULT_MODEL } from "@jada/orchestrator/models";
import { z } from "zod";

/** Every tool jada gives the agent, by name. */
export const AGENT_TOOL_NAMES = [
  "read_file",
  "list_files",
  "write_file",
  "lint_site",
  "deploy_staging",
  "list_releases",
  "check_health",
  "check_tokens",
  "run_job",
  "job_status",
] as const;

/** A tool's name. */
export type AgentToolName = (typeof AGENT_TOOL_NAMES)[number];

/** The tools a task may use unless `agent.tools` says otherwise: reading, and staging. */
export const DEFAULT_AGENT_TOOLS: readonly AgentToolName[] = [
  "read_file",
  "list_files",
  "lint_site",
  "deploy_staging",
  "list_releases",
  "check_health",
  "check_tokens",
  "job_status",
];

/**
 * `lint`: defaults of `jada lint`. Command-line options win over these.
 */
export const lintConfigSchema = z
  .strictObject({
    extensions: z
      .array(
        z.string().regex(/^\.?[A-Za-z0-9][A-Za-z0-9.-]*$/, "an extension such as html or .htm"),
      )
      .min(1)
      .default(["html", "htm"])
      .describe("File extensions linted inside directories."),
    maxWarnings: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Fail when there are more warnings than this (errors always fail)."),
    format: z
      .enum(["stylish", "json", "sarif"])
      .default("stylish")
      .describe("Output format: stylish (for people), json or sarif (for programs)."),
  })
  .describe("Defaults of `jada lint` (the template-brace lint).");

/** Where one stage of a site is served from. */
export const targetSchema = z
  .strictObject({
    bucket: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        "an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)",
      )
      .describe("S3 bucket."),
    prefix: z.string().default("").describe("Key prefix in the bucket (empty: the whole bucket)."),
    distributionId: z
      .string()
      .regex(/^[A-Z0-9]+$/, "a CloudFront distribution id such as E2QWRUHAPOMQZL")
      .optional()
      .describe("CloudFront distribution in front of the bucket (required in atomic mode)."),
    url: z.url().optional().describe("Public URL of this stage, for the smoke check of a promote."),
  })
  .describe("A stage of a site: where it is served from.");

/** `sites.<name>`: one static site and its stages. */
export const siteSchema = z
  .strictObject({
    kind: z
      .literal("s3")
      .optional()
      .describe("s3 (the default): a static site; appsscript: an Apps Script project."),
    dir: z.string().min(1).describe("Local directory of the built site, relative to this file."),
    mode: z
      .enum(["atomic", "sync"])
      .default("atomic")
      .describe(
        "atomic: each release under releases/<id>/, then one origin switch (recommended); sync: objects changed in place.",
      ),
    staging: targetSchema.optional(),
    production: targetSchema,
    cache: z
      .array(
        z.strictObject({
          match: z.string().min(1).describe("Glob over paths in the site (assets/**, *.html)."),
          cacheControl: z.string().min(1).describe("Cache-Control header for matching files."),
        }),
      )
      .default([])
      .describe(
        "Cache-Control rules, first match wins, before the defaults (HTML revalidates; fingerprinted assets are immutable).",
      ),
    lintScope: z
      .string()
      .optional()
      .describe("Scope of the lint gate of a promote (a marker name or #id)."),
    invalidation: z
      .strictObject({
        maxPaths: z
          .number()
          .int()
          .min(1)
          .max(3000)
          .default(100)
          .describe("More changed paths than this are invalidated as /*."),
        wait: z.boolean().default(true).describe("Wait for invalidations to complete."),
        timeoutSeconds: z
          .number()
          .int()
          .min(1)
          .default(900)
          .describe("How long to wait for an invalidation."),
      })
      .prefault({}),
    concurrency: z.number().int().min(1).max(64).default(16).describe("Parallel S3 requests."),
  })
  .describe("A static site deployed to S3 + CloudFront.");

/** `sites.<name>` of kind `appsscript`: an Apps Script project deployed as a site is. */
export const appsScriptSiteSchema = z
  .strictObject({
    kind: z.literal("appsscript"),
    scriptId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{20,}$/, "the script id (Project settings > IDs)")
      .describe("The Apps Script project's id."),
    deploymentId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{10,}$/, "a deployment id (Deploy > Manage deployments)")
      .describe("The one deployment jada points at each new version (its web app URL stays)."),
    dir: z
      .string()
      .min(1)
      .describe(
        "Local directory of the project (.gs, .html, appsscript.json), relative to this file.",
      ),
    account: z.email().describe("The stored Google account that deploys it."),
  })
  .describe("An Apps Script project (kind: appsscript), deployed by jada deploy NAME.");

/**
 * A site of the config: static (S3 + CloudFront), or an Apps Script project. Told apart by
 * `kind`, so an error names the key that is wrong rather than "invalid input".
 */
export const anySiteSchema = z.discriminatedUnion("kind", [appsScriptSiteSchema, siteSchema]);

/** `google`: where the OAuth tokens live and how to reach Google. */
export const googleConfigSchema = z
  .strictObject({
    store: z
      .string()
      .default("google-tokens.json")
      .describe("Token store file (mode 0600), relative to this file."),
    clientFile: z
      .string()
      .optional()
      .describe(
        "Google client_secret_*.json used when authorizing a new account, relative to this file.",
      ),
    publishingStatus: z
      .enum(["production", "testing"])
      .default("production")
      .describe(
        "Publishing status of the OAuth app: Google revokes refresh tokens of Testing apps after 7 days.",
      ),
    scopes: z
      .array(z.string())
      .default(["https://www.googleapis.com/auth/spreadsheets"])
      .describe("Scopes asked for by jada auth google."),
    oauth: z
      .strictObject({
        tokenUrl: z.url().optional().describe("Token endpoint (default Google's)."),
        authUrl: z.url().optional().describe("Authorization endpoint (default Google's)."),
        tokenInfoUrl: z.url().optional().describe("Tokeninfo endpoint (default Google's)."),
        sheetsUrl: z
          .url()
          .optional()
          .describe("Root URL of the Sheets API (default https://sheets.googleapis.com/)."),
        analyticsUrl: z
          .url()
          .optional()
          .describe("Root URL of GA4's Data API (default https://analyticsdata.googleapis.com/)."),
        scriptUrl: z
          .url()
          .optional()
          .describe("Root URL of the Apps Script API (default https://script.googleapis.com/)."),
      })
      .prefault({})
      .describe("Google's OAuth and API URLs, for proxies and tests."),
  })
  .describe("Google accounts used by the jobs (Sheets, Analytics).");

/** Where a sheet sync's rows come from. */
export const sheetSourceSchema = z.union([
  z
    .strictObject({
      url: z.url().describe("An HTTP(S) export answering a JSON array of rows (or {rows: [...]})."),
      headers: z
        .record(z.string(), z.string())
        .default({})
        .describe(
          "Request headers; a value that is exactly $NAME is the environment variable NAME (keep tokens out of this file).",
        ),
      timeoutSeconds: z.number().int().min(1).max(600).default(60),
    })
    .describe("Rows from a URL."),
  z
    .strictObject({
      file: z
        .string()
        .min(1)
        .describe("A .json (an array of rows) or .csv (a header row) file, relative to this file."),
    })
    .describe("Rows from a file."),
  z
    .strictObject({
      command: z
        .string()
        .min(1)
        .describe("A shell command printing a JSON array of rows, run in this file's directory."),
      timeoutSeconds: z.number().int().min(1).max(600).default(60),
    })
    .describe("Rows from a program."),
]);

/** `sheets.<name>`: a Google Sheet kept in step with a source (jada sheets sync NAME). */
export const sheetSchema = z
  .strictObject({
    account: z.email().describe("The stored Google account that writes the sheet."),
    spreadsheetId: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{10,}$/,
        "the id in the sheet's URL (docs.google.com/spreadsheets/d/ID/)",
      )
      .describe("The spreadsheet's id."),
    sheet: z.string().min(1).describe("The tab's name."),
    key: z.string().min(1).describe("The column whose value identifies a row (a booking id)."),
    columns: z
      .array(z.string().min(1))
      .min(1)
      .refine((columns) => new Set(columns).size === columns.length, "column names must differ")
      .describe("Column names in sheet order; the header row holds them."),
    source: sheetSourceSchema,
    deleteMissing: z
      .boolean()
      .default(false)
      .describe(
        "Delete the sheet's rows whose key the source no longer has (default: report them).",
      ),
    schedule: z.string().default("30m").describe("How often the job sheets-sync:NAME runs."),
    maxRequests: z
      .number()
      .int()
      .min(3)
      .max(60)
      .default(20)
      .describe("Requests a run may make, retries included (Google allows 60 a minute a user)."),
  })
  .refine((sheet) => sheet.columns.includes(sheet.key), {
    message: "key must be one of the columns",
    path: ["key"],
  })
  .describe("A Google Sheet kept in step with a source of rows.");

/** `ga4`: GA4 properties reported on by `jada ga4 report NAME`. */
export const ga4ConfigSchema = z
  .strictObject({
    account: z
      .email()
      .optional()
      .describe("The account reports use when neither --account nor the property names one."),
    properties: z
      .record(
        z
          .string()
          .regex(/^[a-z0-9][a-z0-9_-]*$/, "a property name: lowercase letters, digits, _ and -"),
        z.strictObject({
          property: z
            .string()
            .regex(/^(properties\/)?\d+$/, "the numeric GA4 property id (Admin > Property details)")
            .describe("The GA4 property id."),
          account: z.email().optional().describe("The stored account that can see it."),
        }),
      )
      .default({})
      .describe("GA4 properties by name, each with the account that can see it."),
  })
  .describe("GA4 reports (jada ga4 report).");

/** `instances.<name>`: a Lightsail instance whose health `jada health` checks. */
export const instanceSchema = z
  .strictObject({
    region: z
      .string()
      .optional()
      .describe("Region of the instance (default: aws.region, then the provider chain)."),
    unit: z.string().default("jada-agent.service").describe("The systemd unit of the agent."),
    since: z
      .string()
      .default("-2h")
      .describe("How far back to read the journal and the metrics (journalctl --since)."),
    logs: z
      .record(z.string(), z.string())
      .default({})
      .describe('Log files to tail, by name: { "sync": "/var/log/jada/sync.log" }.'),
    port: z.number().int().min(1).max(65535).default(22).describe("SSH port."),
    serviceUser: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "a user name such as jada")
      .default("jada")
      .describe("The user jada install runs the daemon as (created when missing)."),
    registry: z
      .url()
      .optional()
      .describe(
        "The npm registry jada install and jada upgrade take @jada/daemon from (default: the host's npm configuration).",
      ),
    thresholds: z
      .strictObject({
        diskWarningPercent: z.number().optional(),
        diskCriticalPercent: z.number().optional(),
        memoryWarningAvailablePercent: z.number().optional(),
        memoryCriticalAvailablePercent: z.number().optional(),
        loadWarningPerCpu: z.number().optional(),
        loadCriticalPerCpu: z.number().optional(),
        burstWarningPercent: z.number().optional(),
        burstCriticalPercent: z.number().optional(),
        restartsCritical: z.number().optional(),
      })
      .default({})
      .describe("Overrides of the default thresholds."),
  })
  .describe("A Lightsail instance: checked by jada health, installed by jada install.");

/** `agent`: the daemon's agent sessions. */
export const agentConfigSchema = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .default(DEFAULT_MODEL)
      .describe(`Anthropic model id (default ${DEFAULT_MODEL}).`),
    maxTokens: z.number().int().min(256).default(4096).describe("max_tokens of each call."),
    maxTurns: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(30)
      .describe("Model calls per session, at most."),
    checkpointAtTurn: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Turn at which the agent is told to checkpoint (default maxTurns - 5)."),
    dailySessions: z.number().int().min(0).default(5).describe("Sessions per quota day."),
    rolloverMinutes: z
      .number()
      .int()
      .min(0)
      .max(1439)
      .default(0)
      .describe("Minutes after 00:00 UTC when the quota day turns."),
    dailyTokens: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Tokens (input, output, cache) per quota day; no budget when unset."),
    dailyUsd: z
      .number()
      .positive()
      .optional()
      .describe("Estimated dollars per quota day (needs agent.price); no budget when unset."),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(1)
      .describe("Sessions run at once by this daemon."),
    pollSeconds: z.number().int().min(1).default(60).describe("Seconds between polls when idle."),
    tools: z
      .array(z.enum(AGENT_TOOL_NAMES))
      .optional()
      .describe(
        `The tools the agent may use (default: ${DEFAULT_AGENT_TOOLS.join(", ")}; write_file and run_job only when listed).`,
      ),
    workspaces: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Directories the file tools may reach, relative to the config file (default: every site's dir).",
      ),
    pausedProbeSeconds: z
      .number()
      .int()
      .min(1)
      .default(600)
      .describe(
        "While the API refuses the key, one session is tried again this often (SIGHUP tries at once).",
      ),
    leaseSeconds: z
      .number()
      .int()
      .min(5)
      .default(600)
      .describe(
        "Task lease, heartbeated every turn and every third of it; a crashed daemon's task is claimable again after it.",
      ),
    system: z
      .string()
      .default(
        "You are the jada agent. Work on the task you are given with the tools you have. Save checkpoints when told, and call complete_task when the task is done or request_human when a person must act.",
      )
      .describe("System prompt."),
    price: z
      .strictObject({
        input: z.number(),
        output: z.number(),
        cacheRead: z.number(),
        cacheWrite: z.number(),
      })
      .optional()
      .describe("Dollars per million tokens, for the cost estimate of each session."),
  })
  .refine((agent) => agent.dailyUsd === undefined || agent.price !== undefined, {
    message: "agent.dailyUsd needs agent.price: without prices no dollar is counted",
    path: ["dailyUsd"],
  })
  .describe("The agent daemon (jada daemon).");

/** When a job's failures alert (`jobs.<name>.rules`). */
export const jobRulesSchema = z
  .strictObject({
    failures: z
      .strictObject({
        count: z.number().int().min(1),
        withinMinutes: z.number().int().min(1),
      })
      .optional()
      .describe("Alert when this many runs failed within the window (default 2 within 60)."),
    consecutive: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Alert after this many failures in a row (default off)."),
    noSuccessForMinutes: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Alert when the job has not succeeded for this long (default 2 periods + 5 min)."),
    realertHours: z
      .number()
      .positive()
      .optional()
      .describe("Remind while an alert stays open, this often (default 6)."),
    recoveryThreshold: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Successes in a row that close the alert (default 1)."),
  })
  .describe("When the job's failures raise an alert.");

/** `jobs.<name>`: a built-in job switched on or off, and its schedule and rules. */
export const jobConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Run this job."),
    schedule: z
      .string()
      .min(1)
      .optional()
      .describe("An interval (30m, 6h) or a cron expression (default: the job's own)."),
    timezone: z.string().optional().describe("Time zone of a cron schedule (IANA name)."),
    missed: z
      .enum(["skip", "once", "all"])
      .optional()
      .describe("Runs missed while no daemon ran: record them (skip), run once now, or run each."),
    rules: jobRulesSchema.optional(),
  })
  .describe("A job of the daemon.");

/** `alerts`: where the jobs' alerts go, besides the log. */
export const alertsConfigSchema = z
  .strictObject({
    webhook: z
      .strictObject({
        url: z
          .url()
          .optional()
          .describe(
            "POST every alert here as JSON with a Slack-compatible text (JADA_ALERT_WEBHOOK_URL wins; keep a secret URL in the environment).",
          ),
        headers: z
          .record(z.string(), z.string())
          .default({})
          .describe('Headers sent with it; a value "$NAME" is read from the environment.'),
      })
      .prefault({}),
    tasks: z
      .boolean()
      .default(true)
      .describe("Open a needs_you task per alert (closed on recovery)."),
  })
  .describe("Where alerts go: always the log, a webhook when set, and tasks.");

/** `http`: the daemon's dashboard, JSON API, `/metrics`, `/healthz` and `/readyz`. */
export const httpConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe("Serve HTTP at all (`jada daemon --no-http` wins)."),
    host: z
      .string()
      .min(1)
      .default("127.0.0.1")
      .describe(
        "Address to bind. Loopback by default: reach it through `jada dashboard INSTANCE` (an SSH tunnel). Any other address needs a token.",
      ),
    port: z.number().int().min(0).max(65535).default(7878).describe("Port (0: any free one)."),
    token: z
      .string()
      .min(16, "at least 16 characters")
      .optional()
      .describe(
        "Required as a bearer token, or once as ?token= (then a cookie), when set; JADA_HTTP_TOKEN wins. Keep it in the environment.",
      ),
    readOnly: z
      .boolean()
      .default(false)
      .describe("Refuse every action (retry, cancel, run now, ack) with 403."),
  })
  .describe("The daemon's HTTP server: dashboard, /api, /metrics, /healthz, /readyz.");

/** `aws`: only what the default provider chain cannot say. */
export const awsConfigSchema = z
  .strictObject({
    region: z
      .string()
      .optional()
      .describe("Region of the buckets (default: AWS_REGION / the profile's)."),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(6)
      .describe("Attempts per request (throttling and 5xx are retried)."),
  })
  .describe(
    "AWS clients. Credentials come from the default provider chain; endpoints from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_CLOUDFRONT.",
  );

/**
 * The whole `jada.config.json`. Every capability adds its own section here; unknown keys are
 * errors, so a typo never silently falls back to a default.
 */
export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path or URL of this file's JSON Schema, for editors."),
    lint: lintConfigSchema.prefault({}),
    sites: z
      .record(
        z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]*$/, "a site name: lowercase letters, digits, dots, hyphens"),
        anySiteSchema,
      )
      .default({})
      .describe("Static sites, by name (jada deploy NAME)."),
    instances: z
      .record(
        z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a Lightsail instance name"),
        instanceSchema,
      )
      .default({})
      .describe("Lightsail instances, by name (jada health NAME)."),
    agent: agentConfigSchema.prefault({}),
    aws: awsConfigSchema.prefault({}),
    google: googleConfigSchema.prefault({}),
    ga4: ga4ConfigSchema.prefault({}),
    sheets: z
      .record(
        z
          .string()
          .regex(/^[a-z0-9][a-z0-9_-]*$/, "a sheet name: lowercase letters, digits, _ and -"),
        sheetSchema,
      )
      .default({})
      .describe(
        "Google Sheets kept in step with a source, by name (jada sheets sync NAME; job sheets-sync:NAME).",
      ),
    jobs: z
      .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.:_-]*$/, "a job name"), jobConfigSchema)
      .default({})
      .describe("The daemon's jobs, by name (tokens-check, self-check)."),
    alerts: alertsConfigSchema.prefault({}),
    http: httpConfigSchema.prefault({}),
    database: z
      .strictObject({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, "a postgres:// URL")
          .optional()
          .describe(
            "PostgreSQL for several daemons sharing one queue and quota (JADA_DATABASE_URL wins). Unset: SQLite in the data directory.",
          ),
        schema: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "letters, digits and underscores")
          .default("jada")
          .describe("The Postgres schema of jada's tables."),
      })
      .prefault({})
      .describe("Where the task store lives."),
  })
  .describe("Configuration of jada: the daemon and the `jada` CLI.");

/** A site's configuration, validated. */
export type SiteConfig = z.output<typeof siteSchema>;
/** A site of kind `appsscript`. */
export type AppsScriptSiteConfig = z.output<typeof appsScriptSiteSchema>;
/** A stage's target, validated. */
export type TargetConfig = z.output<typeof targetSchema>;

/** The validated configuration, with every default filled in. */
export type JadaConfig = z.output<typeof configSchema>;

/** The configuration as written in the file (defaults optional). */
export type JadaConfigInput = z.input<typeof configSchema>;

/** The JSON Schema of `jada.config.json`, generated from {@link configSchema}. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" }),
    title: "jada.config.json",
  };
}
