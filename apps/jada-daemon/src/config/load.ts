import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { z } from "zod";
import { JadaCliError } from "../errors.js";
import { configSchema, type JadaConfig } from "./schema.js";

/** The default config file, looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = "jada.config.json";

/** Where a configuration came from. */
export type ConfigSource = "--config" | "JADA_CONFIG" | "default file" | "built-in defaults";

/** A validated configuration and where it was read from. */
export interface LoadedConfig {
  config: JadaConfig;
  /** Absolute path of the file read, or undefined when only defaults apply. */
  path: string | undefined;
  source: ConfigSource;
}

/** Inputs of {@link loadConfig}; all explicit so tests need no global state. */
export interface LoadConfigOptions {
  /** The `--config` option, if given. */
  flag?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/**
 * Finds, reads and validates the configuration: `--config PATH`, else `JADA_CONFIG`, else
 * `./jada.config.json`. A file named by the flag or the variable must exist; the default file
 * may be absent (then every default applies).
 *
 * @throws {JadaCliError} `CONFIG_NOT_FOUND`, `CONFIG_UNREADABLE` or `CONFIG_INVALID`, with a
 *   message that names the file, and for schema errors each offending key.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const envPath = options.env["JADA_CONFIG"];
  const [given, source]: [string | undefined, ConfigSource] =
    options.flag !== undefined
      ? [options.flag, "--config"]
      : envPath !== undefined && envPath !== ""
        ? [envPath, "JADA_CONFIG"]
        : [undefined, "default file"];
  const path = resolve(options.cwd, given ?? DEFAULT_CONFIG_FILE);

  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" && given === undefined) {
      return { config: parseConfig({}, path), path: undefined, source: "built-in defaults" };
    }
    if (code === "ENOENT") {
      throw new JadaCliError(
        "CONFIG_NOT_FOUND",
        `config file not found: ${given} (from ${source})`,
        { cause: error },
      );
    }
    throw new JadaCliError(
      "CONFIG_UNREADABLE",
      `cannot read config file ${path}: ${code ?? String(error)}`,
      {
        cause: error,
      },
    );
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new JadaCliError(
      "CONFIG_INVALID",
      `${path}: not valid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { config: parseConfig(json, path), path, source };
}

/**
 * Validates a parsed config object.
 *
 * @throws {JadaCliError} `CONFIG_INVALID`, one line per problem: `file: key.path: message`.
 */
export function parseConfig(json: unknown, file: string): JadaConfig {
  const result = configSchema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap((issue) => describeIssue(issue));
  throw new JadaCliError(
    "CONFIG_INVALID",
    `${file}: invalid configuration\n${lines.map((line) => `  ${line}`).join("\n")}`,
    { cause: result.error },
  );
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = keyPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${keyPath([...issue.path, key])}: unknown key`);
  }
  return [`${at || "(top level)"}: ${issue.message}`];
}

function keyPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}
