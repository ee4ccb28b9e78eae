// What `jada service install` installs: the config file's text and the daemon's secrets. Taken
// from this machine (the config jada is using, the secrets exported in this shell) by
// `jada service install` and `jada install`, and sent by the latter as JSON on the host's stdin.
import { readFile } from "node:fs/promises";
import type { Services } from "../compose/services.js";
import { JadaCliError } from "../errors.js";
import { SECRET_VARIABLES, type SecretVariable } from "./secrets.js";

/** The config and the secrets to install. */
export interface Payload {
  configText: string;
  secrets: Partial<Record<SecretVariable, string>>;
}

/** The config jada is using now (`{}` without one), and the secrets set in `env`. */
export async function localPayload(
  services: Services,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Payload> {
  const configText =
    services.configPath === undefined ? "{}\n" : await readFile(services.configPath, "utf8");
  const secrets: Payload["secrets"] = {};
  for (const name of SECRET_VARIABLES) if (env[name]) secrets[name] = env[name];
  return { configText, secrets };
}

/**
 * The payload `jada install` sends (`{"config": "…", "secrets": {…}}`). Errors never quote a
 * value: the message may reach a terminal.
 *
 * @throws {JadaCliError} `USAGE`
 */
export function parsePayload(text: string): Payload {
  let value: { config?: unknown; secrets?: unknown };
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    throw new JadaCliError("USAGE", "--payload-stdin: stdin is not JSON ({config, secrets})");
  }
  if (typeof value?.config !== "string")
    throw new JadaCliError("USAGE", "--payload-stdin: config (the config file's text) is missing");
  const secrets: Payload["secrets"] = {};
  const given = (value.secrets ?? {}) as Record<string, unknown>;
  for (const [name, secret] of Object.entries(given)) {
    if (!(SECRET_VARIABLES as readonly string[]).includes(name) || typeof secret !== "string")
      throw new JadaCliError("USAGE", `--payload-stdin: ${name} is not a secret jada keeps`);
    secrets[name as SecretVariable] = secret;
  }
  return { configText: value.config, secrets };
}
