// The sd_notify protocol (READY=1, STATUS=…, WATCHDOG=1, STOPPING=1) on $NOTIFY_SOCKET, a unix
// datagram socket. Node cannot send unix datagrams, and `systemd-notify` (one process per
// message) loses messages on systemd 252 when it exits before PID 1 looks up its cgroup; so one
// long-lived sender runs beside the daemon, in its cgroup: perl with its Socket module, both in
// Debian's Essential perl-base, so no native build step and nothing to install.
import { type ChildProcess, spawn } from "node:child_process";

/** The daemon's side of the protocol. */
export interface SystemdNotifier {
  /** Whether $NOTIFY_SOCKET was set (the daemon runs under systemd as Type=notify). */
  readonly active: boolean;
  /** Sends one assignment (`READY=1`, `STATUS=…`); a no-op when not active. */
  notify(assignment: string): void;
  /** The watchdog's period in ms when systemd asked for pings ($WATCHDOG_USEC), else undefined. */
  readonly watchdogMs: number | undefined;
  close(): void;
}

// Reads one assignment a line on stdin and sends each as one datagram.
const SENDER = `
use strict; use warnings; use Socket;
my $path = $ENV{NOTIFY_SOCKET}; $path =~ s/^@/\\0/;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!\\n";
my $to = pack_sockaddr_un($path);
while (my $line = <STDIN>) {
  chomp $line;
  send($s, $line, 0, $to) or print STDERR "sd_notify: $!\\n";
}
`;

/**
 * The notifier of this process's environment: active when $NOTIFY_SOCKET is set and, for the
 * watchdog, $WATCHDOG_USEC (and $WATCHDOG_PID, when set, is this process).
 */
export function createSystemdNotifier(
  env: Readonly<Record<string, string | undefined>>,
  onError: (message: string) => void = () => {},
): SystemdNotifier {
  const socket = env["NOTIFY_SOCKET"];
  const usec = Number(env["WATCHDOG_USEC"]);
  const forUs = env["WATCHDOG_PID"] === undefined || Number(env["WATCHDOG_PID"]) === process.pid;
  const watchdogMs = Number.isFinite(usec) && usec > 0 && forUs ? usec / 1000 : undefined;
  if (!socket) return { active: false, watchdogMs: undefined, notify() {}, close() {} };
  let sender: ChildProcess | undefined = spawn("perl", ["-e", SENDER], {
    env: { NOTIFY_SOCKET: socket, PATH: env["PATH"] ?? "/usr/bin:/bin" },
    stdio: ["pipe", "ignore", "pipe"],
  });
  sender.on("error", (error) => {
    onError(`sd_notify: cannot start perl (${error.message}): systemd will not hear READY=1`);
    sender = undefined;
  });
  sender.stderr?.setEncoding("utf8").on("data", (text: string) => onError(text.trim()));
  sender.stdin?.on("error", () => {});
  // It must not keep the daemon alive, nor outlive it.
  sender.unref();
  (sender.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    active: true,
    watchdogMs,
    notify(assignment) {
      sender?.stdin?.write(`${assignment.replace(/\n/g, " ")}\n`);
    },
    close() {
      sender?.stdin?.end();
      sender = undefined;
    },
  };
}
