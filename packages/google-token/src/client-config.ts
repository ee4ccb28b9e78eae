import { readFile } from "node:fs/promises";
import { GoogleTokenError } from "./errors.js";
import type { ClientConfig } from "./store-schema.js";

/** An OAuth client's id and secret, resolved from the store or a client file. */
export interface ResolvedClient {
  clientId: string;
  clientSecret: string;
  publishingStatus: "testing" | "production";
}

/**
 * Resolves an account's client: inline, or from a Google `client_secret_*.json` file
 * (`{ "installed": { "client_id", "client_secret", ... } }`, or `"web"`).
 *
 * @throws {GoogleTokenError} `MISCONFIGURED` when the file is missing or has no client.
 */
export async function resolveClient(
  client: ClientConfig,
  account: string,
): Promise<ResolvedClient> {
  if ("clientId" in client) return client;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(client.clientFile, "utf8"));
  } catch (error) {
    throw new GoogleTokenError(
      "MISCONFIGURED",
      `${account}: cannot read the client file ${client.clientFile}: ${(error as Error).message}`,
      {
        cause: error,
        account,
        remedy: { action: "reconsent", account, newClient: true },
      },
    );
  }
  const section =
    (json as { installed?: unknown; web?: unknown }).installed ?? (json as { web?: unknown }).web;
  const clientId = (section as { client_id?: unknown } | undefined)?.client_id;
  const clientSecret = (section as { client_secret?: unknown } | undefined)?.client_secret;
  if (typeof clientId !== "string" || typeof clientSecret !== "string") {
    throw new GoogleTokenError(
      "MISCONFIGURED",
      `${account}: ${client.clientFile} is not a Google OAuth client file (no installed.client_id / client_secret)`,
      {
        account,
      },
    );
  }
  return { clientId, clientSecret, publishingStatus: client.publishingStatus };
}
