// The daemon speaks sd_notify on $NOTIFY_SOCKET, as systemd would hear it: a unix datagram socket
// this test creates (with perl, as the daemon's sender is: Node has no unix datagrams). READY=1
// once it runs, STATUS= lines, WATCHDOG=1 while it is ready, none while its store is gone, and
// again once it is back.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type DaemonProcess, startDaemon } from "./daemon-process.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Binds the socket, says "bound", then prints every datagram on a line.
const RECEIVER = `
use strict; use Socket; $| = 1;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
bind($s, pack_sockaddr_un($ARGV[0])) or die "bind: $!";
print "bound\\n";
while (defined(recv($s, my $message, 4096, 0))) { print "$message\\n"; }
`;

function receiver(path: string) {
  const child: ChildProcess = spawn("perl", ["-e", RECEIVER, path], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
  let buffer = "";
  child.stdout?.on("data", (chunk) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts);
    for (const waiter of [...waiters])
      if (waiter.test()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
  });
  const until = (test: () => boolean) =>
    test()
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          waiters.push({ test, resolve });
        });
  cleanups.push(async () => {
    child.kill();
    await once(child, "exit").catch(() => {});
  });
  return { lines, until, pings: () => lines.filter((line) => line === "WATCHDOG=1").length };
}

describe("sd_notify", () => {
  it("READY=1 once running, STATUS=, and the watchdog pinged only while the daemon is ready", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jada-notify-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      join(dir, "jada.config.json"),
      JSON.stringify({ http: { port: 0 }, jobs: { "tokens-check": { enabled: false } } }),
    );
    const socket = join(dir, "notify.sock");
    const systemd = receiver(socket);
    await systemd.until(() => systemd.lines.includes("bound"));
    const db = join(dir, "data", "jada.db");
    const jada: DaemonProcess = await startDaemon(dir, {
      JADA_DATA_DIR: join(dir, "data"),
      NOTIFY_SOCKET: socket,
      // A ping every half second.
      WATCHDOG_USEC: "1000000",
    });
    cleanups.push(() => jada.stop());
    await systemd.until(() => systemd.pings() >= 2);
    const heard = systemd.lines.filter((line) => line !== "bound");
    expect(heard[0]).toBe("READY=1");
    expect(heard[1]).toMatch(/^STATUS=0 of 5 sessions today; (idle|sessions paused)$/);

    // The store's file goes: the daemon says so once, and stops pinging.
    await rename(db, `${db}.away`);
    await jada.when(/^not ready: the systemd watchdog is no longer pinged \(the SQLite file/);
    const atOutage = systemd.pings();
    // A healthy daemon pings 4 times in 2 s; this one must not (one ping may have been in flight
    // when the line was logged). A slow machine only makes fewer ticks, never more pings.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(systemd.pings() - atOutage).toBeLessThanOrEqual(1);
    const beforeBack = systemd.pings();
    await rename(`${db}.away`, db);
    await systemd.until(() => systemd.pings() > beforeBack);

    // A graceful stop says STOPPING=1.
    expect(await jada.stop()).toBe(0);
    await systemd.until(() => systemd.lines.includes("STOPPING=1"));
  });

  it("without NOTIFY_SOCKET the daemon starts no sender", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jada-notify-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, "jada.config.json"), JSON.stringify({ http: { port: 0 } }));
    const jada = await startDaemon(dir, { JADA_DATA_DIR: join(dir, "data") });
    cleanups.push(() => jada.stop());
    const children = spawn("ps", ["-o", "args=", "--ppid", String(jada.child.pid)], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let listed = "";
    children.stdout?.on("data", (chunk) => {
      listed += chunk;
    });
    await once(children, "exit");
    expect(listed).not.toContain("perl");
  });
});
