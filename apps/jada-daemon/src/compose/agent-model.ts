// The agent's model: the API key (from the environment or a file), and the Anthropic client in
// its own process, started on the first call.
import { readFileSync } from "node:fs";
import type { Logger } from "@jada/orchestrator";
import type { JadaConfig } from "../config/schema.js";
import { JadaCliError } from "../errors.js";
import { createModelProcess, type ModelProcess } from "./model-process.js";

/** Where the key came from, for the log (never the key itself). */
export interface ApiKey {
  key: string;
  source: "ANTHROPIC_API_KEY" | "ANTHROPIC_API_KEY_FILE";
}

/** What a person does when there is no key, or the API refuses it. */
export const API_KEY_FIXES = {
  noModel:
    "set ANTHROPIC_API_KEY (or ANTHROPIC_API_KEY_FILE, a file holding it), then restart the daemon",
  refusedKey:
    "put a valid key in ANTHROPIC_API_KEY_FILE (or ANTHROPIC_API_KEY, then restart), then send SIGHUP (systemctl reload jada); the daemon also tries again on its own every agent.pausedProbeSeconds",
} as const;

/**
 * The API key: the file `ANTHROPIC_API_KEY_FILE` names (read anew on every call, so SIGHUP picks
 * up a fixed key without a restart; systemd credentials fit here), else `ANTHROPIC_API_KEY`.
 * Undefined when neither is set or the file is empty.
 *
 * @throws {JadaCliError} when the file is named but cannot be read (its path and errno only).
 */
export function readApiKey(env: Readonly<Record<string, string | undefined>>): ApiKey | undefined {
  const file = env["ANTHROPIC_API_KEY_FILE"];
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new JadaCliError("USAGE", `cannot read ANTHROPIC_API_KEY_FILE ${file} (${code})`, {
        cause: error,
      });
    }
    const key = text.trim();
    return key ? { key, source: "ANTHROPIC_API_KEY_FILE" } : undefined;
  }
  const key = env["ANTHROPIC_API_KEY"]?.trim();
  return key ? { key, source: "ANTHROPIC_API_KEY" } : undefined;
}

/**
 * The agent's model over the Messages API, in a child process that holds the SDK and exits
 * when the calls stop (see model-process.ts): a daemon that idles with nothing queued (most of
 * its day) never holds the SDK's ~15 MB, not even after a session.
 */
export function createAgentModel(
  agent: JadaConfig["agent"],
  apiKey: ApiKey,
  env: Readonly<Record<string, string | undefined>>,
  logger?: Logger | undefined,
  onIdleExit?: (() => void) | undefined,
): ModelProcess {
  return createModelProcess({
    apiKey: apiKey.key,
    baseURL: env["ANTHROPIC_BASE_URL"] || undefined,
    model: agent.model,
    maxTokens: agent.maxTokens,
    env,
    logger,
    onIdleExit,
  });
}
