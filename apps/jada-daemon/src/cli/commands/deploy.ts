import { spawnSync } from "node:child_process";
import type {
  DeployProgress,
  DeployResult,
  DeploySiteOptions,
  PromoteOptions,
} from "@jada/static-deploy";
import type { Command } from "commander";
import { siteContext, siteReleases, targetOf } from "../../compose/sites.js";
import type { AppsScriptSiteConfig } from "../../config/schema.js";
import { JadaCliError } from "../../errors.js";
import type { CliIo } from "../../io.js";
import { formatBytes, formatTime, renderJson, renderTable } from "../../render/table.js";
import type { CommandContext } from "../context.js";
import {
  appsScriptSiteReleases,
  deployAppsScriptSite,
  rollbackAppsScriptSite,
} from "./deploy-appsscript.js";

// What a deploy and a promote take alike.
type SharedOption =
  | "site"
  | "dir"
  | "mode"
  | "cdn"
  | "cacheRules"
  | "maxInvalidationPaths"
  | "waitForInvalidation"
  | "invalidationTimeoutMs"
  | "concurrency"
  | "commit"
  | "onProgress";

interface DeployOptions {
  stage?: string;
  promote?: boolean;
  dryRun?: boolean;
  delete?: boolean;
  verify?: boolean;
  wait: boolean;
  json?: boolean;
}

/** Adds `jada deploy`, `jada rollback` and `jada releases`. */
export function registerDeployCommands(program: Command, context: CommandContext): void {
  program
    .command("deploy")
    .summary("deploy a static site to S3 + CloudFront, or an Apps Script project")
    .description(
      "Deploy a site of jada.config.json: upload what changed (by content hash), fix metadata " +
        "drift with server-side copies, invalidate exactly the changed paths, keep a release " +
        "record. In atomic mode, visitors see nothing change until one origin switch. A site of " +
        'kind "appsscript" is an Apps Script project: its sources are linted, uploaded only when ' +
        "they changed, made one version, and its one deployment is pointed at it (--dry-run " +
        "lists the files that differ).",
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
      const script = await appsScriptSite(name, context);
      context.exit(
        script
          ? await deployAppsScriptSite(name, script, options, context)
          : await runDeploy(name, options, context),
      );
    });

  program
    .command("rollback")
    .summary("serve an earlier release again (atomic mode), in one call")
    .description(
      "Point the stage's CloudFront distribution back at an earlier release (one origin switch; " +
        "nothing is uploaded or deleted), then invalidate every path: any page may differ " +
        "between two releases.",
    )
    .argument("<site>", "site name, as in jada.config.json")
    .option("--stage <stage>", "staging or production", "production")
    .option("--to <release>", "release id (default: the one before the live release)")
    .option("--no-wait", "do not wait for the CloudFront invalidation to complete")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Exit codes: 0 rolled back, 2 usage, configuration or AWS errors (no earlier release, the
release does not exist, the distribution changed meanwhile).

Examples:
  jada rollback sailjada                       the release before the live one
  jada rollback sailjada --to 20261130T101500Z-ab12cd3
  jada releases sailjada                       to see the release ids`,
    )
    .action(
      async (
        name: string,
        options: { stage: string; to?: string; wait: boolean; json?: boolean },
      ) => {
        const script = await appsScriptSite(name, context);
        context.exit(
          script
            ? await rollbackAppsScriptSite(name, script, options, context)
            : await runRollback(name, options, context),
        );
      },
    );

  program
    .command("releases")
    .summary("list a site's releases, newest first, the live one marked")
    .argument("<site>", "site name, as in jada.config.json")
    .option("--stage <stage>", "staging or production", "production")
    .option("--json", "print the releases as JSON")
    .addHelpText(
      "after",
      `
The live release (marked *) is the one the distribution serves in atomic mode, the newest in
sync mode.

Exit codes: 0 listed (also when there is none yet), 2 usage, configuration or AWS errors.

Examples:
  jada releases sailjada
  jada releases sailjada --stage staging --json`,
    )
    .action(async (name: string, options: { stage: string; json?: boolean }) => {
      const script = await appsScriptSite(name, context);
      context.exit(
        script
          ? await appsScriptSiteReleases(name, script, options, context)
          : await runReleases(name, options, context),
      );
    });
}

// A site of kind appsscript takes its own path (no stages, no buckets: versions of a project).
async function appsScriptSite(
  name: string,
  context: CommandContext,
): Promise<AppsScriptSiteConfig | undefined> {
  const site = (await context.services()).config.sites[name];
  return site?.kind === "appsscript" ? site : undefined;
}

function gitCommit(dir: string): string | undefined {
  const result = spawnSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

async function runDeploy(
  name: string,
  options: DeployOptions,
  context: CommandContext,
): Promise<number> {
  const { io } = context;
  const site = await siteContext(await context.services(), name);
  const { clients, aws, lib } = site;
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
  if (options.delete && site.site.mode === "atomic") {
    throw new JadaCliError(
      "USAGE",
      "--delete applies to sync mode; an atomic release never holds files that are not in the site",
    );
  }
  const stage = options.promote
    ? "production"
    : (options.stage ?? (site.site.staging ? "staging" : "production"));
  const target = targetOf(site, stage);
  const progress = createProgress(io);
  // Typed, so that an option either library function does not take fails to compile (a spread
  // of an untyped object would pass it silently).
  const common: Pick<PromoteOptions, SharedOption> & Pick<DeploySiteOptions, SharedOption> = {
    site: name,
    dir: site.dir,
    mode: site.site.mode,
    cdn: aws.createCloudFrontCdn(clients.cloudFront),
    cacheRules: site.site.cache,
    maxInvalidationPaths: site.site.invalidation.maxPaths,
    waitForInvalidation: options.wait && site.site.invalidation.wait,
    invalidationTimeoutMs: site.site.invalidation.timeoutSeconds * 1000,
    concurrency: site.site.concurrency,
    commit: gitCommit(site.dir),
    onProgress: progress.update,
  };

  let result: DeployResult;
  if (options.promote) {
    const staging = targetOf(site, "staging");
    const url = staging.url;
    if (url === undefined)
      throw new JadaCliError(
        "USAGE",
        `site ${name}: staging needs a url for the smoke check of a promote`,
      );
    result = await lib.promoteSite({
      ...common,
      lintScope: site.site.lintScope,
      staging: {
        target: staging,
        store: aws.createS3ObjectStore(clients.s3, staging.bucket),
        url,
      },
      production: { target, store: aws.createS3ObjectStore(clients.s3, target.bucket) },
      onStep: (step, detail) =>
        io.stderr.write(
          `${step === "lint" ? "lint gate" : step === "smoke" ? "smoke check" : "deploying"}: ${detail}\n`,
        ),
    });
  } else {
    io.stderr.write(
      `deploying ${name} to ${stage} (${site.site.mode}${options.dryRun ? ", dry run" : ""}) from ${site.dir}\n`,
    );
    result = await lib.deploySite({
      ...common,
      stage,
      target,
      store: aws.createS3ObjectStore(clients.s3, target.bucket),
      delete: options.delete,
      verify: options.verify,
      dryRun: options.dryRun,
    });
  }
  progress.clear();
  io.stdout.write(options.json ? renderJson(result) : describeDeploy(result));
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
  options: { stage: string; to?: string; wait: boolean; json?: boolean },
  context: CommandContext,
): Promise<number> {
  const site = await siteContext(await context.services(), name);
  if (site.site.mode !== "atomic")
    throw new JadaCliError(
      "USAGE",
      `site ${name} deploys in sync mode: rollback needs atomic releases`,
    );
  const target = targetOf(site, options.stage);
  if (target.distributionId === undefined)
    throw new JadaCliError("USAGE", `site ${name}: ${options.stage} has no distributionId`);
  const result = await site.lib.rollbackSite({
    site: name,
    store: site.aws.createS3ObjectStore(site.clients.s3, target.bucket),
    cdn: site.aws.createCloudFrontCdn(site.clients.cloudFront),
    distributionId: target.distributionId,
    prefix: site.lib.normalizePrefix(target.prefix),
    stage: options.stage,
    to: options.to,
    waitForInvalidation: options.wait && site.site.invalidation.wait,
    invalidationTimeoutMs: site.site.invalidation.timeoutSeconds * 1000,
  });
  context.io.stdout.write(
    options.json
      ? renderJson({ site: name, stage: options.stage, ...result })
      : `rolled ${name} ${options.stage} back to ${result.to} (was ${result.from ?? "none"}); invalidation ${result.invalidation.id} ${result.invalidation.status}\n`,
  );
  return 0;
}

async function runReleases(
  name: string,
  options: { stage: string; json?: boolean },
  context: CommandContext,
): Promise<number> {
  const site = await siteContext(await context.services(), name);
  const records = await siteReleases(site, options.stage);
  const { io } = context;
  if (options.json) {
    io.stdout.write(renderJson(records));
    return 0;
  }
  if (records.length === 0) {
    io.stdout.write(`no releases of ${name} ${options.stage} yet\n`);
    return 0;
  }
  io.stdout.write(
    renderTable(
      [" ", "RELEASE", "CREATED", "COMMIT", "FILES", "SIZE", "CHANGES", ""],
      records.map((record) => [
        record.live ? "*" : " ",
        record.id,
        formatTime(record.createdAt),
        record.commit?.slice(0, 7) ?? "-",
        String(record.files),
        formatBytes(record.bytes),
        `+${record.uploaded} ~${record.copied} -${record.deleted}`,
        record.promotedFrom ? `from ${record.promotedFrom}` : "",
      ]),
    ),
  );
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
