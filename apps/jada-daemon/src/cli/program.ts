import { Command, CommanderError } from "commander";
import { DEFAULT_CONFIG_FILE } from "../config/load.js";
import { JadaCliError } from "../errors.js";
import type { CliIo } from "../io.js";
import { toCliError } from "../render/errors.js";
import { VERSION } from "../version.js";
import { registerDaemonCommand } from "./commands/daemon.js";
import { registerDashboardCommand } from "./commands/dashboard.js";
import { registerDeployCommands } from "./commands/deploy.js";
import { registerGa4Commands } from "./commands/ga4.js";
import { registerGoogleCommands } from "./commands/google.js";
import { registerHealthCommands } from "./commands/health.js";
import { registerInstallCommands } from "./commands/install.js";
import { registerJobCommands } from "./commands/jobs.js";
import { registerLintCommand } from "./commands/lint.js";
import { registerServiceCommands } from "./commands/service.js";
import { registerSheetsCommands } from "./commands/sheets.js";
import { registerTaskCommands } from "./commands/tasks.js";
import { createCommandContext, type RegisterCommands } from "./context.js";

// Exit code for a bug in jada itself (sysexits' EX_SOFTWARE), distinct from findings (1) and
// usage errors (2).
const EXIT_INTERNAL = 70;

/** Every command group, in the order `jada --help` lists them. */
const COMMAND_GROUPS: readonly RegisterCommands[] = [
  registerLintCommand,
  registerDeployCommands,
  registerGoogleCommands,
  registerHealthCommands,
  registerDaemonCommand,
  registerDashboardCommand,
  registerTaskCommands,
  registerJobCommands,
  registerServiceCommands,
  registerInstallCommands,
  registerSheetsCommands,
  registerGa4Commands,
];

/**
 * Runs the `jada` CLI with `argv` (the arguments after the program name) and returns the exit
 * code. Errors meant for users are printed as one clear message (and the fix on its own line);
 * only a bug prints a stack, and only with `JADA_DEBUG=1`.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), {
 *   stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(),
 * });
 * ```
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    refuseVersionFlagOf(argv);
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are successes; every other one is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    const cliError = toCliError(error);
    if (cliError !== undefined) {
      io.stderr.write(`jada: ${cliError.message}\n`);
      return cliError.exitCode;
    }
    const detail = io.env["JADA_DEBUG"]
      ? `\n${(error as Error)?.stack ?? String(error)}`
      : " (run with JADA_DEBUG=1 for details)";
    io.stderr.write(
      `jada: internal error: ${(error as Error)?.message ?? String(error)}${detail}\n`,
    );
    return EXIT_INTERNAL;
  }
}

// `--version` belongs to jada itself (Commander reads it anywhere on the line), so
// `jada upgrade NAME --version 0.2.0` would print jada's version and do nothing: said instead.
function refuseVersionFlagOf(argv: readonly string[]): void {
  const command = argv.findIndex((arg) => !arg.startsWith("-"));
  if (!["install", "upgrade"].includes(argv[command] ?? "")) return;
  if (argv.slice(command).some((arg) => arg === "--version" || arg.startsWith("--version=")))
    throw new JadaCliError(
      "USAGE",
      `choose the daemon's version with --to VERSION (jada ${argv[command]} NAME --to 0.2.0); --version prints jada's own`,
    );
}

/** Builds the `jada` command tree. */
export function createProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command("jada")
    .description(
      "jada: the agent daemon and its operations (deploys, health, tokens), with nothing failing silently.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option(
      "-c, --config <path>",
      `config file (default: $JADA_CONFIG, else ./${DEFAULT_CONFIG_FILE} when present)`,
    )
    .showHelpAfterError("(run with --help for usage)")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  program.addHelpText(
    "after",
    `
Exit codes: 0 success, 1 findings or a failed check, 2 usage or configuration errors
(jada health speaks Nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
Run 'jada <command> --help' for a command's options.`,
  );

  const context = createCommandContext(program, io, setExitCode);
  for (const register of COMMAND_GROUPS) register(program, context);
  // Subcommands share the program's output and error handling.
  const all = (command: Command): Command[] => [command, ...command.commands.flatMap(all)];
  for (const command of all(program).slice(1)) {
    command
      .exitOverride()
      .configureOutput(program.configureOutput())
      .showHelpAfterError("(run with --help for usage)");
  }
  return program;
}
