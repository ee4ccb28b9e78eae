// `jada service install|status|uninstall` under a root directory of the test's, with stand-ins
// for systemctl, useradd and id that record what they are asked (as the health tests' shims do):
// the files, their modes, the secrets, the user, the systemctl calls, and a second install that
// changes nothing.
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJada } from "./run-jada.js";

let root: string;
let bin: string;
let env: Record<string, string>;
const KEY = "fake-key-planted-by-the-install-test";

async function shim(name: string, body: string) {
  const path = join(bin, name);
  await writeFile(path, `#!/bin/sh\necho "${name} $*" >> "${root}/calls.log"\n${body}\n`);
  await chmod(path, 0o755);
}

const calls = async () =>
  (await readFile(join(root, "calls.log"), "utf8").catch(() => ""))
    .trim()
    .split("\n")
    .filter(Boolean);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "jada-service-"));
  bin = join(root, "bin");
  await mkdir(bin);
  // `id` fails until useradd has made the user; systemctl show answers as systemd would.
  await shim("id", `[ -f "${root}/user-made" ] || exit 1; echo 998`);
  await shim("useradd", `touch "${root}/user-made"`);
  await shim(
    "systemctl",
    `[ "$1" = show ] && printf 'ActiveState=active\\nSubState=running\\nMainPID=4242\\nNRestarts=0\\nActiveEnterTimestamp=Tue 2026-12-01 10:00:00 UTC\\nStatusText=0 of 5 sessions today; idle\\n'; exit 0`,
  );
  await writeFile(join(root, "jada.config.json"), JSON.stringify({ agent: { dailySessions: 5 } }));
  env = { PATH: `${bin}:${process.env["PATH"]}`, ANTHROPIC_API_KEY: KEY };
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("jada service", () => {
  it("installs the unit, the config and the secrets (0600), makes the user, and starts it; a second install changes nothing", async () => {
    const target = join(root, "system");
    const args = [
      "service",
      "install",
      "--root",
      target,
      "--node",
      "/usr/bin/node",
      "--cli",
      "/opt/jada/cli.js",
    ];
    const first = await runJada(args, { cwd: root, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^installed jada.service: wrote .*jada.service, wrote .*jada.config.json, wrote .*jada.env, created the jada user; restarted\n/,
    );
    expect(first.stdout).toContain("secrets in the env file: ANTHROPIC_API_KEY");
    expect(first.stdout + first.stderr).not.toContain(KEY);
    const unit = await readFile(join(target, "etc/systemd/system/jada.service"), "utf8");
    expect(unit).toContain(
      "ExecStart=/usr/bin/node /opt/jada/cli.js daemon --config /etc/jada/jada.config.json",
    );
    // The token store moves to the state directory: the sandbox lets the service write only there.
    expect(JSON.parse(await readFile(join(target, "etc/jada/jada.config.json"), "utf8"))).toEqual({
      agent: { dailySessions: 5 },
      google: { store: "/var/lib/jada/google-tokens.json" },
    });
    const envFile = join(target, "etc/jada/jada.env");
    expect(await readFile(envFile, "utf8")).toBe(`ANTHROPIC_API_KEY="${KEY}"\n`);
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    expect(await calls()).toEqual([
      "id -u jada",
      "useradd --system --home-dir /var/lib/jada --no-create-home --shell /usr/sbin/nologin jada",
      "systemctl daemon-reload",
      "systemctl enable jada.service",
      "systemctl restart jada.service",
    ]);
    // The secret went to no command line.
    expect((await calls()).join("\n")).not.toContain(KEY);

    const again = await runJada(args, { cwd: root, env });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("jada.service is installed and unchanged; made sure it runs\n");
    expect((await calls()).slice(5)).toEqual([
      "id -u jada",
      "systemctl enable jada.service",
      "systemctl start jada.service",
    ]);
  });

  it("keeps the secrets it is not given, and takes the config and secrets from stdin as jada install sends them", async () => {
    const target = join(root, "system");
    const args = [
      "service",
      "install",
      "--root",
      target,
      "--node",
      "/usr/bin/node",
      "--cli",
      "/opt/jada/cli.js",
    ];
    const envFile = join(target, "etc/jada/jada.env");
    // From a shell without the key: the key stays.
    const bare = await runJada(args, { cwd: root, env: { PATH: env["PATH"] as string } });
    expect(bare.code, bare.stderr).toBe(0);
    expect(await readFile(envFile, "utf8")).toBe(`ANTHROPIC_API_KEY="${KEY}"\n`);
    const webhook = 'https://hooks.example/"quoted"\\path';
    const piped = await runJada([...args, "--payload-stdin", "--json"], {
      cwd: root,
      env: { PATH: env["PATH"] as string },
      stdin: JSON.stringify({
        config: JSON.stringify({ google: { store: "/srv/tokens.json" } }),
        secrets: { JADA_ALERT_WEBHOOK_URL: webhook },
      }),
    });
    expect(piped.code, piped.stderr).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({
      secrets: ["ANTHROPIC_API_KEY", "JADA_ALERT_WEBHOOK_URL"],
      changed: [join(target, "etc/jada/jada.config.json"), envFile],
    });
    expect(piped.stdout.includes(KEY)).toBe(false);
    // An absolute store is the owner's choice; the new secret beside the kept one, quoted.
    expect(await readFile(join(target, "etc/jada/jada.config.json"), "utf8")).toBe(
      JSON.stringify({ google: { store: "/srv/tokens.json" } }),
    );
    expect(await readFile(envFile, "utf8")).toBe(
      `ANTHROPIC_API_KEY="${KEY}"\nJADA_ALERT_WEBHOOK_URL="https://hooks.example/\\"quoted\\"\\\\path"\n`,
    );
    // A payload that is not one: a usage error naming what is wrong, never a value.
    const wrong = await runJada([...args, "--payload-stdin"], {
      cwd: root,
      env: { PATH: env["PATH"] as string },
      stdin: JSON.stringify({ config: "{}", secrets: { AWS_SECRET_ACCESS_KEY: "x-planted" } }),
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      "jada: --payload-stdin: AWS_SECRET_ACCESS_KEY is not a secret jada keeps\n",
    );
  });

  it("says how the service is, from systemd", async () => {
    const status = await runJada(["service", "status"], { cwd: root, env });
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(
      "jada.service active (running), pid 4242, since Tue 2026-12-01 10:00:00 UTC, 0 restarts\n  0 of 5 sessions today; idle\n",
    );
  });

  it("stops and removes the service, keeping the data unless --purge", async () => {
    const target = join(root, "system");
    const removed = await runJada(["service", "uninstall", "--root", target], { cwd: root, env });
    expect(removed.code).toBe(0);
    await expect(stat(join(target, "etc/systemd/system/jada.service"))).rejects.toThrow();
    expect((await stat(join(target, "etc/jada/jada.env"))).isFile()).toBe(true);
    expect((await calls()).slice(-2)).toEqual([
      "systemctl disable --now jada.service",
      "systemctl daemon-reload",
    ]);
  });

  it("refuses to write /etc without root, and names a failing step", async () => {
    if (process.getuid?.() !== 0) {
      const refused = await runJada(["service", "install"], { cwd: root, env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("run it as root");
    }
    await shim("systemctl", `echo "Failed to enable unit: Access denied" >&2; exit 1`);
    const failed = await runJada(
      [
        "service",
        "install",
        "--root",
        join(root, "other"),
        "--node",
        "/usr/bin/node",
        "--cli",
        "/opt/jada/cli.js",
      ],
      { cwd: root, env },
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^jada: systemctl daemon-reload failed \(1\): Failed to enable unit: Access denied\n/,
    );
  });
});
