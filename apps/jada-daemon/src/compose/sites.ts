// A site of the config with what deploying it takes: its directory, the AWS clients and the
// deploy library (loaded on use). `jada deploy` and the agent's tools both start here.
import { resolve } from "node:path";
import type { SiteConfig, TargetConfig } from "../config/schema.js";
import { JadaCliError } from "../errors.js";
import type { AwsClients } from "./aws-clients.js";
import type { Services } from "./services.js";

/** A configured site, ready to deploy. */
export interface SiteContext {
  name: string;
  site: SiteConfig;
  dir: string;
  clients: AwsClients;
  aws: typeof import("@jada/static-deploy/aws");
  lib: typeof import("@jada/static-deploy");
}

/**
 * The site `name` of the config.
 *
 * @throws {JadaCliError} `USAGE` for a site the config does not have.
 */
export async function siteContext(services: Services, name: string): Promise<SiteContext> {
  const site = services.config.sites[name];
  if (site === undefined) {
    const known = Object.keys(services.config.sites);
    throw new JadaCliError(
      "USAGE",
      `unknown site "${name}": ${known.length > 0 ? `configured sites are ${known.join(", ")}` : `no sites in ${services.configPath ?? "the configuration (no jada.config.json found)"}`}`,
    );
  }
  if (site.kind === "appsscript")
    throw new JadaCliError(
      "USAGE",
      `site ${name} is an Apps Script project: jada deploy, rollback and releases take it; it has no stages or buckets`,
    );
  // The deploy library and its AWS adapters are loaded on use, not when the CLI starts.
  const [aws, lib, clients] = await Promise.all([
    import("@jada/static-deploy/aws"),
    import("@jada/static-deploy"),
    services.aws(),
  ]);
  return { name, site, dir: resolve(services.base, site.dir), clients, aws, lib };
}

export function targetOf(site: SiteContext, stage: string): TargetConfig {
  const target =
    stage === "production"
      ? site.site.production
      : stage === "staging"
        ? site.site.staging
        : undefined;
  if (target === undefined) {
    throw new JadaCliError(
      "USAGE",
      stage === "staging" || stage === "production"
        ? `site ${site.name} has no ${stage} target in the configuration`
        : `unknown stage "${stage}": use staging or production`,
    );
  }
  return target;
}

/** A site's releases on a stage, newest first, each saying whether it is the live one. */
export async function siteReleases(found: SiteContext, stage: string) {
  const target = targetOf(found, stage);
  const { records, live } = await found.lib.listSiteReleases({
    store: found.aws.createS3ObjectStore(found.clients.s3, target.bucket),
    prefix: found.lib.normalizePrefix(target.prefix),
    stage,
    mode: found.site.mode,
    cdn: found.aws.createCloudFrontCdn(found.clients.cloudFront),
    distributionId: target.distributionId,
  });
  return records.map((record) => ({ ...record, live: record.id === live }));
}
