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

  let bytes: Buffer;
  try {
    bytes = await readFile(path);
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
      code === "EISDIR"
        ? `cannot read config file ${path}: it is a directory (name the JSON file in it)`
        : `cannot read config file ${path}: ${code ?? String(error)}`,
      { cause: error },
    );
  }
  return { config: parseConfig(parseJsonText(bytes, path), path), path, source };
}

/**
 * The JSON of a config file's bytes: UTF-8 with or without a byte order mark (editors on
 * Windows write one). Errors say where, never what: the file may hold secrets, and a binary
 * file would put raw bytes on the terminal.
 *
 * @throws {JadaCliError} `CONFIG_INVALID`
 */
export function parseJsonText(bytes: Uint8Array, path: string): unknown {
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    if (nul !== -1) throw new Error("NUL");
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new JadaCliError(
      "CONFIG_INVALID",
      `${path}: not a text file (${nul !== -1 ? `a NUL byte at offset ${nul}` : "invalid UTF-8"}): a config is a JSON file in UTF-8`,
      { cause: error },
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "")
    throw new JadaCliError("CONFIG_INVALID", `${path}: empty file: write {} for every default`);
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = /\(line (\d+) column (\d+)\)/.exec((error as Error).message);
    const at = where
      ? ` at line ${where[1]}, column ${where[2]}`
      : /end of JSON input/.test((error as Error).message)
        ? " (it ends too early)"
        : "";
    throw new JadaCliError("CONFIG_INVALID", `${path}: not valid JSON${at}`, { cause: error });
  }
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
