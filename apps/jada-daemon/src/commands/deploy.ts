import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import type { DeployProgress, DeployResult } from "@jada/static-deploy";
import type { Command } from "commander";
import type { AwsClients } from "../aws-clients.js";
import type { LoadedConfig } from "../config/load.js";
import type { SiteConfig, TargetConfig } from "../config/schema.js";
import { JadaCliError } from "../errors.js";
import type { CliIo } from "../io.js";

type GetConfig = () => Promise<LoadedConfig>;

interface SiteContext {
  name: string;
  site: SiteConfig;
  dir: string;
  clients: AwsClients;
  aws: typeof import("@jada/static-deploy/aws");
  lib: typeof import("@jada/static-deploy");
}

/** Adds `jada deploy`, `jada rollback` and `jada releases`. */
export function registerDeployCommands(
  program: Command,
  io: CliIo,
  getConfig: GetConfig,
  setExitCode: (code: number) => void,
): void {
  program
    .command("deploy")
    .summary("deploy a static site to S3 + CloudFront")
    .description(
      "Deploy a site of jada.config.json: upload what changed (by content hash), fix metadata" +
        "drift with server-side copies, invalidate exactly the changed paths, keep a release" +
        "record. In atomic mode, visitors see nothing change until one origin switch.",
    )
    .argument("<site>", "site name, as in jada.config.json")
    .option("--stage <stage>", "staging or production (default: staging when the site has one)")
    .option(
      "--promote",
      "lint gate, smoke check of staging, then production (the staged release, in atomic mode)",
    )
    .option("--dry-run", "print the plan, change nothing")
    .option("--delete", "sync mode: delete remote files that are not in the site (after uploading)")
    .option(
      "--verify",
      "sync mode: check every object's metadata with a HEAD, not the last deploy's manifest",
    )
    .option("--no-wait", "do not wait for the CloudFront invalidation to complete")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Exit codes: 0 deployed, 1 a promote gate failed (production untouched), 2 usage,
configuration or AWS errors.

Examples:
  jada deploy sailjada --stage staging
  jada deploy sailjada --promote
  jada deploy sailjada --stage production --dry-run --json`,
    )
    .action(async (name: string, options: DeployOptions) => {
      setExitCode(await runDeploy(name, options, io, getConfig));
    });

  program
    .command("rollback")
    .summary("serve an earlier release again (atomic mode), in one call")
    .argument("<site>", "site name, as in jada.config.json")
    .option("--stage <stage>", "staging or production", "production")
    .option("--to <release>", "release id (default: the one before the live release)")
    .option("--json", "print the result as JSON")
    .action(async (name: string, options: { stage: string; to?: string; json?: boolean }) => {
      setExitCode(await runRollback(name, options, io, getConfig));
    });

  program
    .command("releases")
    .summary("list a site's releases, newest first")
    .argument("<site>", "site name, as in jada.config.json")
    .option("--stage <stage>", "staging or production", "production")
    .option("--json", "print the releases as JSON")
    .action(async (name: string, options: { stage: string; json?: boolean }) => {
      setExitCode(await runReleases(name, options, io, getConfig));
    });
}

interface DeployOptions {
  stage?: string;
  promote?: boolean;
  dryRun?: boolean;
  delete?: boolean;
  verify?: boolean;
  wait: boolean;
  json?: boolean;
}

async function siteContext(name: string, io: CliIo, getConfig: GetConfig): Promise<SiteContext> {
  const loaded = await getConfig();
  const site = loaded.config.sites[name];
  if (site === undefined) {
    const known = Object.keys(loaded.config.sites);
    throw new JadaCliError(
      "USAGE",
      `unknown site "${name}": ${known.length > 0 ? `configured sites are ${known.join(", ")}` : `no sites in ${loaded.path ?? "the configuration (no jada.config.json found)"}`}`,
    );
  }
  const base = loaded.path === undefined ? io.cwd : dirname(loaded.path);
  // The AWS SDK is loaded here, on use, not when the CLI (or the daemon) starts.
  const [{ createAwsClients }, aws, lib] = await Promise.all([
    import("../aws-clients.js"),
    import("@jada/static-deploy/aws"),
    import("@jada/static-deploy"),
  ]);
  return {
    name,
    site,
    dir: resolve(base, site.dir),
    clients: await createAwsClients(loaded.config.aws, io.env),
    aws,
    lib,
  };
}

function targetOf(context: SiteContext, stage: string): TargetConfig {
  const target =
    stage === "production"
      ? context.site.production
      : stage === "staging"
        ? context.site.staging
        : undefined;
  if (target === undefined) {
    throw new JadaCliError(
      "USAGE",
      stage === "staging" || stage === "production"
        ? `site ${context.name} has no ${stage} target in the configuration`
        : `unknown stage "${stage}": use staging or production`,
    );
  }
  return target;
}

function gitCommit(dir: string): string | undefined {
  const result = spawnSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Turns library errors into exit codes: a failed gate is a failed check (1), the rest 2. */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // By name, as isStaticDeployError does, without loading the library up front.
    if (error instanceof Error && error.name === "StaticDeployError") {
      const code = (error as { code?: string }).code;
      throw new JadaCliError("USAGE", error.message, {
        cause: error,
        exitCode: code === "GATE_FAILED" ? 1 : 2,
      });
    }
    throw error;
  }
}

async function runDeploy(
  name: string,
  options: DeployOptions,
  io: CliIo,
  getConfig: GetConfig,
): Promise<number> {
  const context = await siteContext(name, io, getConfig);
  const { site, clients } = context;
  if (options.promote && options.stage !== undefined && options.stage !== "production") {
    throw new JadaCliError(
      "USAGE",
      "--promote deploys to production; it cannot be combined with --stage staging",
    );
  }
  if (options.promote && options.dryRun)
    throw new JadaCliError(
      "USAGE",
      "--promote cannot be a dry run: its gates look at what staging serves",
    );
  if (options.delete && site.mode === "atomic") {
    throw new JadaCliError(
      "USAGE",
      "--delete applies to sync mode; an atomic release never holds files that are not in the site",
    );
  }
  const stage = options.promote
    ? "production"
    : (options.stage ?? (site.staging ? "staging" : "production"));
  const target = targetOf(context, stage);
  const progress = createProgress(io);
  const common = {
    site: name,
    dir: context.dir,
    mode: site.mode,
    cdn: context.aws.createCloudFrontCdn(clients.cloudFront),
    cacheRules: site.cache,
    maxInvalidationPaths: site.invalidation.maxPaths,
    waitForInvalidation: options.wait && site.invalidation.wait,
    invalidationTimeoutMs: site.invalidation.timeoutSeconds * 1000,
    commit: gitCommit(context.dir),
    concurrency: site.concurrency,
    onProgress: progress.update,
  };

  let result: DeployResult;
  if (options.promote) {
    const staging = targetOf(context, "staging");
    if (staging.url === undefined)
      throw new JadaCliError(
        "USAGE",
        `site ${name}: staging needs a url for the smoke check of a promote`,
      );
    result = await guard(() =>
      context.lib.promoteSite({
        ...common,
        lintScope: site.lintScope,
        staging: {
          target: staging,
          store: context.aws.createS3ObjectStore(clients.s3, staging.bucket),
          url: staging.url as string,
        },
        production: { target, store: context.aws.createS3ObjectStore(clients.s3, target.bucket) },
        onStep: (step, detail) =>
          io.stderr.write(
            `${step === "lint" ? "lint gate" : step === "smoke" ? "smoke check" : "deploying"}: ${detail}\n`,
          ),
      }),
    );
  } else {
    io.stderr.write(
      `deploying ${name} to ${stage} (${site.mode}${options.dryRun ? ", dry run" : ""}) from ${context.dir}\n`,
    );
    result = await guard(() =>
      context.lib.deploySite({
        ...common,
        stage,
        target,
        store: context.aws.createS3ObjectStore(clients.s3, target.bucket),
        delete: options.delete,
        verify: options.verify,
        dryRun: options.dryRun,
      }),
    );
  }
  progress.clear();

  if (options.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(describeDeploy(result));
  return 0;
}

function describeDeploy(result: DeployResult): string {
  if (result.upToDate) {
    const extra =
      result.extraneous.length > 0
        ? `\n  ${result.extraneous.length} remote files are not in the site; --delete removes them`
        : "";
    return `${result.site} ${result.stage} is up to date (release ${result.release}, ${result.unchanged} files); nothing to do${extra}\n`;
  }
  const lines: string[] = [];
  const verb = result.dryRun ? "would deploy" : "deployed";
  lines.push(
    `${verb} ${result.site} to ${result.stage} (${result.mode}, release ${result.release})`,
  );
  lines.push(
    `  ${result.dryRun ? "upload" : "uploaded"} ${result.uploaded.length} (${formatBytes(result.bytes)}), copied ${result.copied.length}, deleted ${result.deleted.length}, unchanged ${result.unchanged}`,
  );
  if (result.dryRun) {
    for (const path of result.uploaded) lines.push(`    upload ${path}`);
    for (const path of result.copied) lines.push(`    copy   ${path}`);
    for (const path of result.deleted) lines.push(`    delete ${path}`);
  }
  if (result.extraneous.length > 0) {
    lines.push(
      `  ${result.extraneous.length} remote files are not in the site; --delete removes them`,
    );
  }
  if (result.originPath)
    lines.push(
      `  serving ${result.originPath}${result.previousRelease ? ` (was ${result.previousRelease})` : ""}`,
    );
  if (result.invalidation) {
    const shown = result.invalidation.paths.slice(0, 8).join(" ");
    lines.push(
      `  invalidation ${result.invalidation.id} ${result.invalidation.status}: ${shown}${result.invalidation.paths.length > 8 ? " …" : ""}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

async function runRollback(
  name: string,
  options: { stage: string; to?: string; json?: boolean },
  io: CliIo,
  getConfig: GetConfig,
): Promise<number> {
  const context = await siteContext(name, io, getConfig);
  if (context.site.mode !== "atomic")
    throw new JadaCliError(
      "USAGE",
      `site ${name} deploys in sync mode: rollback needs atomic releases`,
    );
  const target = targetOf(context, options.stage);
  if (target.distributionId === undefined)
    throw new JadaCliError("USAGE", `site ${name}: ${options.stage} has no distributionId`);
  const distributionId = target.distributionId;
  const cdn = context.aws.createCloudFrontCdn(context.clients.cloudFront);
  const store = context.aws.createS3ObjectStore(context.clients.s3, target.bucket);
  const result = await guard(async () => {
    const switched = await context.lib.rollback({
      store,
      cdn,
      distributionId,
      prefix: context.lib.normalizePrefix(target.prefix),
      stage: options.stage,
      to: options.to,
    });
    const status = await context.lib.invalidate({
      cdn,
      distributionId,
      paths: ["/*"],
      callerReference: `jada-${name}-${options.stage}-rollback-${switched.to}-${Date.now()}`,
      wait: context.site.invalidation.wait,
      timeoutMs: context.site.invalidation.timeoutSeconds * 1000,
    });
    return { ...switched, invalidation: { id: status.id, status: status.status, paths: ["/*"] } };
  });
  if (options.json)
    io.stdout.write(
      `${JSON.stringify({ site: name, stage: options.stage, ...result }, null, 2)}\n`,
    );
  else
    io.stdout.write(
      `rolled ${name} ${options.stage} back to ${result.to} (was ${result.from ?? "none"}); invalidation ${result.invalidation.id} ${result.invalidation.status}\n`,
    );
  return 0;
}

async function runReleases(
  name: string,
  options: { stage: string; json?: boolean },
  io: CliIo,
  getConfig: GetConfig,
): Promise<number> {
  const context = await siteContext(name, io, getConfig);
  const target = targetOf(context, options.stage);
  const prefix = context.lib.normalizePrefix(target.prefix);
  const store = context.aws.createS3ObjectStore(context.clients.s3, target.bucket);
  const { records, live } = await guard(async () => {
    const list = await context.lib.listReleases(store, prefix, options.stage);
    let serving: string | undefined;
    if (context.site.mode === "atomic" && target.distributionId !== undefined) {
      const origin = await context.aws
        .createCloudFrontCdn(context.clients.cloudFront)
        .getOriginPath(target.distributionId);
      serving = context.lib.releaseIdOf(origin.originPath, prefix);
    } else {
      serving = list[0]?.id;
    }
    return { records: list, live: serving };
  });
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify(
        records.map((record) => ({ ...record, live: record.id === live })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (records.length === 0) {
    io.stdout.write(`no releases of ${name} ${options.stage} yet\n`);
    return 0;
  }
  const rows = records.map((record) => [
    record.id === live ? "*" : " ",
    record.id,
    record.createdAt.replace("T", " ").replace(/\.\d+Z$/, "Z"),
    record.commit?.slice(0, 7) ?? "-",
    String(record.files),
    formatBytes(record.bytes),
    `+${record.uploaded} ~${record.copied} -${record.deleted}`,
    record.promotedFrom ? `from ${record.promotedFrom}` : "",
  ]);
  const header = [" ", "RELEASE", "CREATED", "COMMIT", "FILES", "SIZE", "CHANGES", ""];
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] ?? "").length)),
  );
  for (const row of [header, ...rows]) {
    io.stdout.write(
      `${row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd()}\n`,
    );
  }
  return 0;
}

// A progress bar on a terminal; on anything else, one plain line per file (for CI logs).
function createProgress(io: CliIo) {
  const tty = io.stderr.isTTY === true;
  let shown = false;
  return {
    update(progress: DeployProgress) {
      if (!tty) {
        io.stderr.write(
          `${progress.action} ${progress.path} (${progress.done}/${progress.total})\n`,
        );
        return;
      }
      const width = 24;
      const filled = Math.round((progress.done / Math.max(progress.total, 1)) * width);
      shown = true;
      io.stderr.write(
        `\r\u001b[2K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${progress.done}/${progress.total} files, ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}`,
      );
    },
    clear() {
      if (shown) io.stderr.write("\r\u001b[2K");
    },
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
