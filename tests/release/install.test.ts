// `jada install` and `jada upgrade` for real, from the published packages: every workspace is
// published to a local Verdaccio (and a version of the daemon that cannot start), the test's
// sshd stands for the Lightsail host (everything under $JADA_INSTALL_ROOT), the loopback
// Lightsail API hands out the temporary access, and stand-ins for systemctl and journalctl
// record what they are asked. The systemctl stand-in answers as systemd would for a Type=notify
// unit: active (running) when the current version's CLI starts, failed when it does not. It also
// photographs every process's command line and environment, for the secrets.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import {
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import {
  canRunSshd,
  type FakeInstance,
  type LightsailFake,
  startLightsailFake,
  startTestSshd,
  type TestSshd,
} from "@jada/lightsail-health/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalRegistry, startRegistry } from "./registry.js";
import { publishableWorkspaces, repo, run } from "./workspaces.js";

const INSTANCE = "jada-orchestrator";
const KEY = "fake-anthropic-key-planted-by-the-install-test";
const cli = join(repo, "apps/jada-daemon/dist/cli.js");
const available = canRunSshd();
if (!available.ok && process.env["CI"] === "true")
  throw new Error(`jada install needs sshd in CI: ${available.why}`);
if (!available.ok) console.warn(`[release] jada install tests skipped: ${available.why}`);

const workspaces = publishableWorkspaces();
const daemon = workspaces.find((workspace) => workspace.name === "@jada/daemon");
if (daemon === undefined) throw new Error("@jada/daemon is not a publishable workspace");
const version = daemon.version;
// One patch above: a version that is newer, published only here, and cannot start.
const broken = version.replace(/\d+$/, (patch) => String(Number(patch) + 1));

describe.skipIf(!available.ok)("jada install and jada upgrade over real OpenSSH", () => {
  let registry: LocalRegistry;
  let sshd: TestSshd;
  let fake: LightsailFake;
  const instances: Record<string, FakeInstance> = {};
  let dir: string;
  let host: string;
  let env: Record<string, string>;
  const calls = async () =>
    (await readFile(join(dir, "calls.log"), "utf8").catch(() => "")).split("\n").filter(Boolean);
  const current = () => readlink(join(host, "opt/jada/current"));
  let packed: string[] | undefined;
  // `npm pack` of every workspace, once.
  const packs = async () => {
    if (packed) return packed;
    const target = join(dir, "packs");
    await mkdir(target);
    for (const workspace of workspaces)
      run("npm", ["pack", "--ignore-scripts", "--pack-destination", target], {
        cwd: workspace.dir,
      });
    packed = (await readdir(target)).map((name) => join(target, name));
    return packed;
  };

  const jada = async (args: string[], extraEnv: Record<string, string> = {}) => {
    // Not spawnSync: the Lightsail API and the registry answer from this process.
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: dir,
      env: { ...env, ...extraEnv },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const [code] = (await once(child, "exit")) as [number];
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "jada-install-"));
    host = join(dir, "host");
    const upstream =
      run("npm", ["config", "get", "registry"], { cwd: repo }).trim() ||
      "https://registry.npmjs.org/";
    registry = await startRegistry(upstream);
    const npmEnv = { npm_config_userconfig: registry.npmrc, npm_config_cache: join(dir, "npm") };
    for (const workspace of workspaces)
      run("npm", ["publish", "--ignore-scripts", "--registry", registry.url], {
        cwd: workspace.dir,
        env: npmEnv,
      });
    // The daemon one patch later, whose CLI throws as it starts.
    const copy = join(dir, "broken");
    await cp(daemon.dir, copy, {
      recursive: true,
      filter: (source) => !source.includes("node_modules") && !source.includes("test-results"),
    });
    const manifest = JSON.parse(await readFile(join(copy, "package.json"), "utf8"));
    await writeFile(join(copy, "package.json"), JSON.stringify({ ...manifest, version: broken }));
    await writeFile(
      join(copy, "dist/cli.js"),
      '#!/usr/bin/env node\nthrow new Error("broken on purpose");\n',
    );
    run("npm", ["publish", "--ignore-scripts", "--registry", registry.url], {
      cwd: copy,
      env: npmEnv,
    });

    const shims = join(dir, "shims");
    await mkdir(shims);
    const installed = `"$JADA_INSTALL_ROOT/opt/jada/current/node_modules/@jada/daemon/dist/cli.js"`;
    await writeFile(
      join(shims, "systemctl"),
      `#!/bin/sh
echo "systemctl $*" >> "${dir}/calls.log"
ps -eww e -o args >> "${dir}/ps.log"
case "$1" in
  start|restart)
    N="$JADA_INSTALL_ROOT/opt/jada/node/bin/node"; [ -x "$N" ] || N=node
    if "$N" ${installed} --version >/dev/null 2>&1; then echo active > "${dir}/state"; else echo failed > "${dir}/state"; fi ;;
  show)
    if [ "$(cat "${dir}/state" 2>/dev/null)" = active ]; then
      printf 'LoadState=loaded\\nActiveState=active\\nSubState=running\\nResult=success\\nMainPID=1\\nNRestarts=0\\nActiveEnterTimestamp=Tue 2026-12-01 10:00:00 UTC\\nMemoryCurrent=83886080\\nExecMainStatus=0\\nStatusText=0 of 5 sessions today; idle\\n'
    else
      printf 'LoadState=loaded\\nActiveState=failed\\nSubState=failed\\nResult=exit-code\\nMainPID=0\\nNRestarts=0\\nExecMainStatus=1\\nStatusText=\\n'
    fi ;;
esac
exit 0
`,
      { mode: 0o755 },
    );
    await writeFile(
      join(shims, "journalctl"),
      `#!/bin/sh\ncase "$*" in *"-o cat"*) echo "Error: broken on purpose" ;; esac\nexit 0\n`,
      { mode: 0o755 },
    );
    sshd = await startTestSshd({
      pathPrefix: `${shims}:${dirname(process.execPath)}`,
      env: {
        JADA_INSTALL_ROOT: host,
        npm_config_cache: join(dir, "npm"),
        npm_config_update_notifier: "false",
      },
    });
    instances[INSTANCE] = {
      address: sshd.address,
      username: sshd.username,
      hostKeys: sshd.hostKeys,
      caKeyPath: sshd.caKeyPath,
    };
    // The fake reads this object on each request: instances added later are known at once.
    fake = await startLightsailFake({ instances });
    await writeFile(
      join(dir, "jada.config.json"),
      JSON.stringify({
        agent: { dailySessions: 5 },
        instances: {
          [INSTANCE]: {
            region: "us-west-2",
            port: sshd.port,
            serviceUser: "nobody",
            registry: registry.url,
          },
        },
      }),
    );
    await mkdir(join(dir, "tmp"));
    env = {
      PATH: process.env["PATH"] ?? "",
      TMPDIR: join(dir, "tmp"),
      AWS_ENDPOINT_URL_LIGHTSAIL: fake.endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_REGION: "us-west-2",
      AWS_EC2_METADATA_DISABLED: "true",
    };
  });
  afterAll(async () => {
    await fake?.close();
    await sshd?.stop();
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("installs from the registry: the version, the unit, the config, the secrets; waits for READY; checks health", async () => {
    const first = await jada(["install", INSTANCE, "--to", version], {
      ANTHROPIC_API_KEY: KEY,
    });
    // The proof is `jada health`: exit 1 only when it finds the (test) host CRITICAL.
    const verdict = /^jada-orchestrator: (OK|WARNING|CRITICAL|UNKNOWN) \(checked /m.exec(
      first.stdout,
    )?.[1];
    expect(verdict, first.stdout + first.stderr).toBeDefined();
    expect(first.code, first.stderr).toBe(verdict === "CRITICAL" ? 1 : 0);
    expect(first.stdout).toContain(
      `${INSTANCE}: @jada/daemon ${version} is installed and READY: 0 of 5 sessions today; idle\n`,
    );
    expect(first.stdout).toContain(
      `  installed @jada/daemon ${version}\n  switched to ${version}\n`,
    );
    expect(first.stdout).toMatch(/service {2}jada\.service active \(running\)/);
    expect(first.stderr).toContain("waiting for jada.service to be READY");
    expect(await current()).toBe(`versions/${version}`);
    const unit = await readFile(join(host, "etc/systemd/system/jada.service"), "utf8");
    expect(unit).toContain(
      `ExecStart=${join(dirname(process.execPath), "node")} /opt/jada/current/node_modules/@jada/daemon/dist/cli.js daemon --config /etc/jada/jada.config.json`,
    );
    expect(unit).toContain("User=nobody");
    const envFile = join(host, "etc/jada/jada.env");
    expect(await readFile(envFile, "utf8")).toBe(`ANTHROPIC_API_KEY="${KEY}"\n`);
    expect((await stat(envFile)).mode & 0o777).toBe(0o600);
    expect(
      JSON.parse(await readFile(join(host, "etc/jada/jada.config.json"), "utf8")),
    ).toMatchObject({
      agent: { dailySessions: 5 },
      google: { store: "/var/lib/jada/google-tokens.json" },
    });
    expect(await calls()).toEqual(
      expect.arrayContaining([
        "systemctl daemon-reload",
        "systemctl enable jada.service",
        "systemctl restart jada.service",
      ]),
    );
    // The key went on stdin: in no process's command line or environment, and never printed.
    // (The workstation's own jada has it in its environment: that is where the user put it.)
    const workstation = `${process.execPath} ${cli} install `;
    const photos = (await readFile(join(dir, "ps.log"), "utf8"))
      .split("\n")
      .filter((line) => !line.startsWith(workstation));
    expect(photos.some((line) => line.includes("service install --payload-stdin"))).toBe(true);
    expect(
      photos.some((line) => line.includes(KEY)),
      "the key in a process's argv or environment",
    ).toBe(false);
    expect((first.stdout + first.stderr).includes(KEY)).toBe(false);
  });

  it("changes nothing the second time, and says so", async () => {
    const before = (await calls()).length;
    const again = await jada(["install", INSTANCE, "--to", version, "--no-health"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(
      `${INSTANCE}: @jada/daemon ${version} is installed and READY; nothing changed: 0 of 5 sessions today; idle\n`,
    );
    // Not restarted; the key the first install stored is kept (this shell has none).
    const since = (await calls()).slice(before);
    expect(since.filter((call) => !call.startsWith("systemctl show"))).toEqual([
      "systemctl enable jada.service",
      "systemctl start jada.service",
    ]);
    expect(await readFile(join(host, "etc/jada/jada.env"), "utf8")).toBe(
      `ANTHROPIC_API_KEY="${KEY}"\n`,
    );
  });

  it("rolls an upgrade that does not become READY back to the version that ran", async () => {
    const upgrade = await jada(["upgrade", INSTANCE, "--to", broken]);
    expect(upgrade.code, upgrade.stderr).toBe(1);
    expect(upgrade.stdout).toBe(
      `${INSTANCE}: @jada/daemon ${broken} did not become READY: rolled back to ${version}, which is READY again\nthe new version's last log lines:\n  Error: broken on purpose\n`,
    );
    expect(upgrade.stderr).toContain(
      `${broken} did not become READY (failed (failed), exit-code): rolling back to ${version}`,
    );
    expect(await current()).toBe(`versions/${version}`);
    // Both versions stay installed: the next upgrade to a fixed one is one switch away.
    expect((await readdir(join(host, "opt/jada/versions"))).sort()).toEqual(
      [version, broken].sort(),
    );
    const upgradeless = await jada(["upgrade", INSTANCE, "--to", version, "--json"]);
    expect(upgradeless.code).toBe(0);
    expect(JSON.parse(upgradeless.stdout)).toMatchObject({ outcome: "unchanged", version });
  });

  it("installs from npm pack tarballs, once, keeping the versions asked for", async () => {
    const files = await packs();
    const install = await jada([
      "install",
      INSTANCE,
      "--from-tarball",
      ...files,
      "--no-health",
      "--keep-versions",
      "2",
    ]);
    expect(install.code, install.stderr).toBe(0);
    const switched = await current();
    expect(switched).toMatch(
      new RegExp(`^versions/${version.replace(/\./g, "\\.")}-[0-9a-f]{12}$`),
    );
    expect(install.stdout).toContain(`switched from ${version} to ${switched.slice(9)}`);
    // Two kept: the new one and the one a rollback needs; the failed upgrade's went.
    expect(install.stdout).toContain(`  removed old versions ${broken}\n`);
    expect((await readdir(join(host, "opt/jada/versions"))).sort()).toEqual(
      [version, switched.slice(9)].sort(),
    );
    expect(install.stderr).toMatch(/uploading jada-daemon-[\d.]+\.tgz \(\d+ KiB\)/);
    // Its @jada libraries came from the tarballs, not the registry.
    const lock = JSON.parse(
      await readFile(join(host, "opt/jada", switched, "package-lock.json"), "utf8"),
    );
    expect(lock.packages["node_modules/@jada/orchestrator"].resolved).toMatch(/^file:/);
    const again = await jada(["install", INSTANCE, "--from-tarball", ...files, "--no-health"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing changed");
  });

  it("installs Node 24 on a host without one, checked against SHASUMS256.txt", async () => {
    // A host whose PATH has everything of /usr/bin and /bin but node and npm.
    const bare = join(dir, "bare-bin");
    await mkdir(bare);
    for (const from of ["/usr/bin", "/bin"])
      for (const name of await readdir(from))
        if (!["node", "npm", "npx", "corepack"].includes(name))
          await symlink(join(from, name), join(bare, name)).catch(() => {});
    const bareHost = join(dir, "bare-host");
    const bareSshd = await startTestSshd({
      env: {
        PATH: `${join(dir, "shims")}:${bare}:/usr/sbin:/sbin`,
        JADA_INSTALL_ROOT: bareHost,
        npm_config_cache: join(dir, "npm"),
        npm_config_update_notifier: "false",
      },
    });
    // nodejs.org/dist on loopback: this Node and npm, packed as the official builds are.
    const file = `node-v${process.versions.node}-linux-${process.arch}.tar.gz`;
    const stage = join(dir, "dist-stage", file.replace(/\.tar\.gz$/, ""));
    await mkdir(join(stage, "bin"), { recursive: true });
    await mkdir(join(stage, "lib/node_modules"), { recursive: true });
    await cp(process.execPath, join(stage, "bin/node"));
    const npmRoot = dirname(
      dirname(await realpath(run("sh", ["-c", "command -v npm"], { cwd: dir }).trim())),
    );
    await cp(npmRoot, join(stage, "lib/node_modules/npm"), { recursive: true });
    await symlink("../lib/node_modules/npm/bin/npm-cli.js", join(stage, "bin/npm"));
    const release = join(dir, "dist/latest-v24.x");
    await mkdir(release, { recursive: true });
    run(
      "tar",
      ["-I", "gzip -1", "-cf", join(release, file), "-C", dirname(stage), basename(stage)],
      {
        cwd: dir,
      },
    );
    const hash = createHash("sha256")
      .update(await readFile(join(release, file)))
      .digest("hex");
    const dist = createServer((request, response) => {
      const path = join(dir, "dist", decodeURIComponent(request.url ?? "/"));
      readFile(path).then(
        (body) => response.writeHead(200).end(body),
        () => response.writeHead(404).end(),
      );
    });
    dist.listen(0, "127.0.0.1");
    await once(dist, "listening");
    const distUrl = `http://127.0.0.1:${(dist.address() as { port: number }).port}`;
    const other = "bare-host";
    const config = JSON.parse(await readFile(join(dir, "jada.config.json"), "utf8"));
    config.instances[other] = { ...config.instances[INSTANCE], port: bareSshd.port };
    await writeFile(join(dir, "jada.config.json"), JSON.stringify(config));
    instances[other] = {
      address: bareSshd.address,
      username: bareSshd.username,
      hostKeys: bareSshd.hostKeys,
      caKeyPath: bareSshd.caKeyPath,
    };
    try {
      const args = [
        "install",
        other,
        "--from-tarball",
        ...(await packs()),
        "--node-dist",
        distUrl,
        "--no-health",
      ];
      // A build that does not match its published hash is not installed.
      await writeFile(join(release, "SHASUMS256.txt"), `${"0".repeat(64)}  ${file}\n`);
      const tampered = await jada(args);
      expect(tampered.code).toBe(1);
      expect(tampered.stderr).toContain(`${file} does not match its SHA-256 in SHASUMS256.txt`);
      await expect(stat(join(bareHost, "opt/jada/node"))).rejects.toThrow();

      await writeFile(join(release, "SHASUMS256.txt"), `${hash}  ${file}\n`);
      const installed = await jada(args);
      expect(installed.code, installed.stderr).toBe(0);
      expect(installed.stderr).toContain("installing Node 24 (the host has none)");
      expect(installed.stdout).toContain(`  installed Node v${process.versions.node}\n`);
      const unit = await readFile(join(bareHost, "etc/systemd/system/jada.service"), "utf8");
      expect(unit).toContain("ExecStart=/opt/jada/node/bin/node /opt/jada/current/");
    } finally {
      dist.close();
      await bareSshd.stop();
    }
  });

  it("refuses bad input with exit 2", async () => {
    const both = await jada(["install", INSTANCE, "--to", "1.0.0", "--from-tarball", cli]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      "jada: --to and --from-tarball exclude each other: a tarball has its version\n",
    );
    // --version is jada's own: said, rather than printing it and doing nothing.
    const version = await jada(["upgrade", INSTANCE, "--version", "1.0.0"]);
    expect(version.code).toBe(2);
    expect(version.stderr).toBe(
      "jada: choose the daemon's version with --to VERSION (jada upgrade NAME --to 0.2.0); --version prints jada's own\n",
    );
    const notTarball = await jada(["install", INSTANCE, "--from-tarball", cli]);
    expect(notTarball.code).toBe(2);
    expect(notTarball.stderr).toBe(`jada: ${cli} is not an npm pack tarball (not gzip)\n`);
    const missing = await jada(["install", INSTANCE, "--from-tarball", "nope.tgz"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `jada: cannot read the tarball ${join(dir, "nope.tgz")}: no such file\n`,
    );
    const timeout = await jada(["upgrade", INSTANCE, "--ready-timeout", "0"]);
    expect(timeout.code).toBe(2);
    const keep = await jada(["upgrade", INSTANCE, "--keep-versions", "1"]);
    expect(keep.code).toBe(2);
    expect(keep.stderr).toContain("--keep-versions is 2 or more");
    const unknown = await jada(["install", "nowhere"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown instance "nowhere"');
  });
});
