/**
 * `@jada/daemon`: the composition root of jada. It holds the configuration (one JSON file,
 * validated), the `jada` CLI, and, as later capabilities land, the daemon itself.
 *
 * @packageDocumentation
 */

export { createProgram, main } from "./cli/program.js";
export {
  type ConfigSource,
  DEFAULT_CONFIG_FILE,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
  parseConfig,
} from "./config/load.js";
export {
  configJsonSchema,
  configSchema,
  type JadaConfig,
  type JadaConfigInput,
  lintConfigSchema,
} from "./config/schema.js";
export { JadaCliError, type JadaCliErrorCode } from "./errors.js";
export type { CliIo, OutputStream } from "./io.js";
export { VERSION } from "./version.js";
