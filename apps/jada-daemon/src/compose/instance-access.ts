// One configured Lightsail instance and the ephemeral SSH access to it, for `jada health` and
// `jada dashboard`: the name checked against the config, the Lightsail client's region and
// credentials asked first (one line with the fix, rather than every request failing alike).
import type { AccessDetails, LightsailApi } from "@jada/lightsail-health";
import type { JadaConfig } from "../config/schema.js";
import { JadaCliError } from "../errors.js";
import type { Services } from "./services.js";

/** An instance of the config, and how to get access to it. */
export interface InstanceAccess {
  configured: JadaConfig["instances"][string];
  api: LightsailApi;
  getAccess: () => Promise<AccessDetails>;
}

/**
 * The instance `name` of the config, with its Lightsail API and access.
 *
 * @throws {JadaCliError} `USAGE` (with `exitCode`) for an instance the config does not have.
 */
export async function instanceAccess(
  services: Services,
  name: string,
  exitCode: number,
): Promise<InstanceAccess> {
  const configured = services.config.instances[name];
  if (configured === undefined) {
    const known = Object.keys(services.config.instances);
    const hint =
      known.length > 0
        ? `configured instances are ${known.join(", ")}`
        : "no instances in the configuration";
    throw new JadaCliError("USAGE", `unknown instance "${name}": ${hint}`, { exitCode });
  }
  // The Lightsail SDK is loaded on use, not when the CLI (or the daemon) starts.
  const [client, { createLightsailApi }] = await Promise.all([
    services.lightsail(configured.region),
    import("@jada/lightsail-health/aws"),
  ]);
  await client.config.region();
  await client.config.credentials();
  const api = createLightsailApi(client);
  return { configured, api, getAccess: () => api.getAccessDetails(name) };
}
