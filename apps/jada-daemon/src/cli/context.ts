// What every command gets: the process's I/O, the configuration, the composed services, and a
// way to say its exit code. One signature for every command group.
import type { Command } from "commander";
import { createServices, type Services } from "../compose/services.js";
import { DEFAULT_CONFIG_FILE, type LoadedConfig, loadConfig } from "../config/load.js";
import type { CliIo } from "../io.js";

/** Everything a command may use; each piece is built on first use, once. */
export interface CommandContext {
  readonly io: CliIo;
  /** The configuration (`--config`, `$JADA_CONFIG`, `./jada.config.json`), loaded once. */
  config(): Promise<LoadedConfig>;
  /** The services composed from the configuration (store, AWS, Google), built lazily, once. */
  services(): Promise<Services>;
  /** Sets the exit code of the run (0 when never called). */
  exit(code: number): void;
}

/** A command group: adds its commands to the program. */
export type RegisterCommands = (program: Command, context: CommandContext) => void;

/** The context of one run of the CLI. */
export function createCommandContext(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): CommandContext {
  let config: Promise<LoadedConfig> | undefined;
  let services: Promise<Services> | undefined;
  const context: CommandContext = {
    io,
    config() {
      config ??= loadConfig({
        flag: program.opts<{ config?: string }>().config,
        env: io.env,
        cwd: io.cwd,
      });
      return config;
    },
    services() {
      services ??= context.config().then((loaded) => createServices(loaded, io));
      return services;
    },
    exit: setExitCode,
  };
  return context;
}

export { DEFAULT_CONFIG_FILE };
