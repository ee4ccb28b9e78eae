// `jada deploy|rollback|releases NAME` for a site of kind `appsscript`: the Apps Script library of
// @jada/static-deploy with the token of the site's account from the store. A token without the
// Apps Script scopes, or an account that has not turned the API on, gets its fix.
import { resolve } from "node:path";
import { reconsentScopes } from "../../compose/consent-scopes.js";
import type { AppsScriptSiteConfig } from "../../config/schema.js";
import { JadaCliError } from "../../errors.js";
import { toCliError } from "../../render/errors.js";
import { renderTokenFix } from "../../render/fixes.js";
import { formatTime, renderJson, renderTable } from "../../render/table.js";
import type { CommandContext } from "../context.js";

async function target(name: string, site: AppsScriptSiteConfig, context: CommandContext) {
  const services = await context.services();
  const [google, lib] = await Promise.all([
    services.google(),
    import("@jada/static-deploy/appsscript"),
  ]);
  const api = lib.createAppsScriptApi({
    account: site.account,
    getAccessToken: () => google.manager.getAccessToken(site.account),
    rootUrl: google.config.oauth.scriptUrl,
  });
  return {
    lib,
    google,
    name,
    target: { api, scriptId: site.scriptId, deploymentId: site.deploymentId },
    dir: resolve(services.base, site.dir),
  };
}

// Errors in jada's words: the scopes to consent to, the settings page to visit.
async function failed(error: unknown, site: AppsScriptSiteConfig, context: CommandContext) {
  const code = (error as { code?: string }).code;
  if (code === "SCOPE_MISSING") {
    const { APPS_SCRIPT_SCOPES } = await import("@jada/static-deploy/appsscript");
    const google = await (await context.services()).google();
    const scopes = await reconsentScopes(google, site.account, APPS_SCRIPT_SCOPES);
    return new JadaCliError(
      "USAGE",
      `${(error as Error).message}\nfix: ${renderTokenFix({ action: "reconsent", account: site.account, scopes })}`,
    );
  }
  return toCliError(error) ?? error;
}

/** `jada deploy NAME [--dry-run] [--json]` of an Apps Script project. */
export async function deployAppsScriptSite(
  name: string,
  site: AppsScriptSiteConfig,
  options: { dryRun?: boolean; json?: boolean },
  context: CommandContext,
): Promise<number> {
  const found = await target(name, site, context);
  const result = await found.lib
    .deployAppsScript({ ...found.target, dir: found.dir, dryRun: options.dryRun })
    .catch(async (error: unknown) => {
      throw await failed(error, site, context);
    });
  const { io } = context;
  if (options.json) {
    io.stdout.write(renderJson({ site: name, ...result }));
    return 0;
  }
  const files = [
    ...result.diff.added.map((file) => `  + ${file}`),
    ...result.diff.changed.map(
      (change) => `  ~ ${change.file} (+${change.linesAdded} -${change.linesRemoved} lines)`,
    ),
    ...result.diff.removed.map((file) => `  - ${file}`),
  ];
  if (result.dryRun)
    io.stdout.write(
      `${name} (Apps Script ${site.scriptId}), dry run: ${result.unchanged ? "unchanged, nothing to deploy" : `${files.length} files differ from the live content`}; deployment ${site.deploymentId} serves version ${result.versionNumber ?? "HEAD"}\n${files.join("\n")}${files.length ? "\n" : ""}`,
    );
  else if (result.unchanged)
    io.stdout.write(
      `${name} (Apps Script ${site.scriptId}): unchanged; deployment ${site.deploymentId} still serves version ${result.versionNumber}, no version made\n`,
    );
  else
    io.stdout.write(
      `deployed ${name} (Apps Script ${site.scriptId}): version ${result.versionNumber}${result.previousVersion ? ` (was ${result.previousVersion})` : ""} on deployment ${site.deploymentId}; content read back, hash ${result.hash.slice(0, 12)}\n${files.join("\n")}${files.length ? "\n" : ""}`,
    );
  return 0;
}

/** `jada rollback NAME [--to VERSION]` of an Apps Script project. */
export async function rollbackAppsScriptSite(
  name: string,
  site: AppsScriptSiteConfig,
  options: { to?: string; json?: boolean },
  context: CommandContext,
): Promise<number> {
  const to = options.to === undefined ? undefined : Number(options.to);
  if (to !== undefined && (!Number.isInteger(to) || to < 1))
    throw new JadaCliError(
      "USAGE",
      `--to is a version number of the Apps Script project, not "${options.to}"`,
    );
  const found = await target(name, site, context);
  const result = await found.lib
    .rollbackAppsScript({ ...found.target, to })
    .catch(async (error: unknown) => {
      throw await failed(error, site, context);
    });
  context.io.stdout.write(
    options.json
      ? renderJson({ site: name, ...result })
      : `rolled ${name} back: deployment ${site.deploymentId} serves version ${result.to} (was ${result.from ?? "HEAD"})\n`,
  );
  return 0;
}

/** `jada releases NAME`: the project's versions, the live one marked. */
export async function appsScriptSiteReleases(
  name: string,
  site: AppsScriptSiteConfig,
  options: { json?: boolean },
  context: CommandContext,
): Promise<number> {
  const found = await target(name, site, context);
  const versions = await found.lib
    .appsScriptReleases(found.target)
    .catch(async (error: unknown) => {
      throw await failed(error, site, context);
    });
  const { io } = context;
  if (options.json) io.stdout.write(renderJson(versions));
  else if (versions.length === 0) io.stdout.write(`no versions of ${name} yet\n`);
  else
    io.stdout.write(
      renderTable(
        [" ", "VERSION", "CREATED", "DESCRIPTION"],
        versions.map((version) => [
          version.live ? "*" : " ",
          String(version.versionNumber),
          version.createTime ? formatTime(version.createTime) : "-",
          version.description,
        ]),
      ),
    );
  return 0;
}
