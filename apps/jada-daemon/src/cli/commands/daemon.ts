import type { Command } from "commander";
import type { CommandContext } from "../context.js";

/** Adds `jada daemon`: the agent's worker loop, its logs and signals (see daemon/run-daemon). */
export function registerDaemonCommand(program: Command, context: CommandContext): void {
  program
    .command("daemon")
    .summary("run the agent: claim queued tasks and run their sessions, within the daily quota")
    .option("--once", "run what is runnable now, then exit (for cron and tests; no HTTP)")
    .option("--no-http", "serve no dashboard, /api, /metrics or /readyz (http.enabled: false)")
    .option(
      "--data-dir <dir>",
      "where the task database lives (default: $JADA_DATA_DIR, else ./.jada/)",
    )
    .addHelpText(
      "after",
      `
Logs are JSON lines on stdout (for journald). The API key comes from ANTHROPIC_API_KEY_FILE (a
file holding it, read again on SIGHUP) or ANTHROPIC_API_KEY. Without one the daemon starts,
says that sessions are paused, and keeps tasks queued. When the API refuses the key, every
session pauses (one error line with the fix), one session is tried again every
agent.pausedProbeSeconds (default 600), and SIGHUP tries at once. A failed call never makes the
task due at once: it waits for the API's retry-after, else 30 s doubling up to 30 min.
The dashboard, the JSON API (/api), /metrics, /healthz and /readyz are served on
http.host:http.port (default 127.0.0.1:7878); from a workstation: jada dashboard INSTANCE.
SIGTERM or SIGINT: the current model call finishes, the session ends with a checkpoint, the
lease is released, exit 0.

Exit codes: 0, or 1 when a --once pass had failed sessions or the key was refused; 2 usage,
configuration or store errors.`,
    )
    .action(async (options: { once?: boolean; dataDir?: string; http: boolean }) => {
      const services = await context.services();
      const { store, where, dataDir, file } = await services.openTaskStore(options.dataDir);
      const { runDaemon } = await import("../../daemon/run-daemon.js");
      context.exit(
        await runDaemon({
          config: services.config,
          services,
          io: context.io,
          store,
          where,
          dataDir,
          file,
          once: options.once === true,
          // Commander sets http to true unless --no-http; only the flag may turn it off here.
          http: options.http === false ? false : undefined,
        }),
      );
    });
}
