import type { Command } from "commander";
import { instanceAccess } from "../../compose/instance-access.js";
import { JadaCliError } from "../../errors.js";
import { toCliError } from "../../render/errors.js";
import type { CommandContext } from "../context.js";

interface DashboardOptions {
  localPort?: number;
  remotePort?: number;
  json?: boolean;
}

const port = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65535)
    throw new JadaCliError("USAGE", `a port is a whole number from 1 to 65535, not "${value}"`);
  return parsed;
};

/** Adds `jada dashboard <instance>`: the daemon's dashboard on a host, through an SSH tunnel. */
export function registerDashboardCommand(program: Command, context: CommandContext): void {
  program
    .command("dashboard")
    .summary("open the dashboard of the daemon on an instance, through an SSH tunnel")
    .description(
      "The daemon serves its dashboard on the host's 127.0.0.1 only. This opens a tunnel to it over " +
        "the same temporary SSH access as `jada health` (the host key pinned from the Lightsail " +
        "API), checks that the daemon answers, prints the local URL, and keeps the tunnel open " +
        "until Ctrl-C.",
    )
    .argument("<instance>", "a Lightsail instance of the config (instances.NAME)")
    .option("--local-port <port>", "the local port (default: a free one)", port)
    .option(
      "--remote-port <port>",
      "the daemon's port on the host (default: http.port, 7878)",
      port,
    )
    .option("--json", "print the URL as one JSON line (for scripts), then keep the tunnel open")
    .addHelpText(
      "after",
      `
A daemon with http.token set asks for it: open the URL once with ?token=<http.token>.

Exit codes: 0 closed with Ctrl-C; 1 the daemon does not answer, or the tunnel dropped;
2 usage, configuration, credentials or SSH errors.

Example:
  jada dashboard jada-orchestrator`,
    )
    .action(async (instance: string, options: DashboardOptions) => {
      context.exit(await runDashboard(instance, options, context));
    });
}

async function runDashboard(
  instance: string,
  options: DashboardOptions,
  context: CommandContext,
): Promise<number> {
  const { io } = context;
  const services = await context.services();
  const remotePort = options.remotePort ?? services.config.http.port;
  let tunnel: import("@jada/lightsail-health").SshTunnel;
  try {
    const { configured, getAccess } = await instanceAccess(services, instance, 2);
    const { openSshTunnel } = await import("@jada/lightsail-health");
    tunnel = await openSshTunnel({
      getAccess,
      port: configured.port,
      remotePort,
      localPort: options.localPort,
    });
  } catch (error) {
    throw toCliError(error, 2) ?? error;
  }
  const url = `http://127.0.0.1:${tunnel.localPort}`;
  // The daemon answering is the proof; a tunnel to nothing would only fail in the browser.
  const answer = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
    (response) => (response.ok ? undefined : `it answered ${response.status}`),
    (error: unknown) => `${(error as Error).message}`,
  );
  if (answer !== undefined) {
    await tunnel.close();
    io.stderr.write(
      `jada: the tunnel to ${instance} is up, but no daemon answers on its 127.0.0.1:${remotePort} (${answer}); is it running with HTTP on? Check: jada health ${instance}\n`,
    );
    return 1;
  }
  io.stdout.write(
    options.json
      ? `${JSON.stringify({ instance, url, localPort: tunnel.localPort, remotePort })}\n`
      : `dashboard of ${instance}: ${url}\n(an SSH tunnel to its 127.0.0.1:${remotePort}; Ctrl-C closes it)\n`,
  );
  // `on`, not `once`, and kept: the ssh layer ends its children on the signal and then re-raises
  // it when it finds itself the only listener left, which would make Ctrl-C an exit by signal.
  const signalled = new Promise<"signal">((resolve) => {
    const stop = () => resolve("signal");
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  const ended = await Promise.race([signalled, tunnel.closed.then(() => "dropped" as const)]);
  await tunnel.close();
  if (ended === "signal") return 0;
  const { stderr } = await tunnel.closed;
  io.stderr.write(
    `jada: the tunnel to ${instance} closed${stderr.trim() ? `: ${stderr.trim().split("\n").at(-1)}` : ""}\n`,
  );
  return 1;
}
