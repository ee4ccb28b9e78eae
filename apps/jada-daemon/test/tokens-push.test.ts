// `jada tokens push` and `jada auth google --push` over real OpenSSH: the test's sshd stands for
// the Lightsail host (jada "installed" under $JADA_INSTALL_ROOT, its current version this
// repository's build), the loopback Lightsail API hands out the temporary access, the loopback
// Google answers both the laptop and the host. The service user is `nobody`, so that the owner
// of the host's store is a real other user. A stand-in for runuser photographs every process's
// command line and environment while the host imports the record.
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GoogleFake, startGoogleFake } from "@jada/google-token/testing";
import {
  canRunSshd,
  generateKey,
  type LightsailFake,
  startLightsailFake,
  startTestSshd,
  type TestSshd,
} from "@jada/lightsail-health/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeGoogle, writeGoogleSetup } from "./consent.js";
import { runJada } from "./run-jada.js";

const app = fileURLToPath(new URL("..", import.meta.url));
const INSTANCE = "jada-orchestrator";
const ACCOUNT = "ops@sailjada.com";
const CLIENT_SECRET = "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test";
const NOBODY = 65534;
const available = canRunSshd();
if (!available.ok && process.env["CI"] === "true")
  throw new Error(`jada tokens push needs sshd in CI: ${available.why}`);
if (!available.ok) console.warn(`[daemon] jada tokens push tests skipped: ${available.why}`);

describe.skipIf(!available.ok)("jada tokens push over real OpenSSH", () => {
  let sshd: TestSshd;
  let fake: LightsailFake;
  let google: GoogleFake;
  let dir: string;
  let host: string;
  let env: Record<string, string>;
  const hostStore = () => join(host, "var/lib/jada/google-tokens.json");
  const photos = () => readFile(join(dir, "ps.log"), "utf8").catch(() => "");

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "jada-tokens-push-"));
    // The service user must reach its files through the test's directory.
    await chmod(dir, 0o755);
    host = join(dir, "host");
    const shims = join(dir, "shims");
    await mkdir(shims);
    await writeFile(
      join(shims, "runuser"),
      `#!/bin/sh\nps -eww e -o args >> "${dir}/ps.log"\nexec /usr/sbin/runuser "$@"\n`,
      { mode: 0o755 },
    );
    // The host: jada's current version is this repository's build; its state dir is nobody's.
    const version = join(host, "opt/jada/versions/dev/node_modules/@jada");
    await mkdir(version, { recursive: true });
    await symlink(app, join(version, "daemon"));
    await symlink("versions/dev", join(host, "opt/jada/current"));
    // (A mode given to a recursive mkdir applies to every directory it makes.)
    await mkdir(join(host, "var/lib"), { recursive: true });
    await mkdir(join(host, "var/lib/jada"), { mode: 0o700 });
    await chown(join(host, "var/lib/jada"), NOBODY, NOBODY);
    google = await startGoogleFake();
    await mkdir(join(host, "etc/jada"), { recursive: true });
    await writeFile(
      join(host, "etc/jada/jada.config.json"),
      JSON.stringify({
        google: {
          store: hostStore(),
          oauth: { tokenUrl: google.tokenUrl, tokenInfoUrl: google.tokenInfoUrl },
        },
      }),
    );

    sshd = await startTestSshd({ pathPrefix: shims, env: { JADA_INSTALL_ROOT: host } });
    fake = await startLightsailFake({
      instances: {
        [INSTANCE]: {
          address: sshd.address,
          username: sshd.username,
          hostKeys: sshd.hostKeys,
          caKeyPath: sshd.caKeyPath,
        },
      },
    });
    // The laptop: its own store, the client in a client file (which the host does not have).
    await writeGoogleSetup(dir, google, {
      clientSecret: CLIENT_SECRET,
      extra: {
        instances: { [INSTANCE]: { region: "us-west-2", port: sshd.port, serviceUser: "nobody" } },
      },
    });
    await mkdir(join(dir, "tmp"));
    env = {
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
    await google?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("re-consents and pushes in one command: the host's store is written 0600, owned by the service user, and checked there", async () => {
    const auth = await authorizeGoogle(ACCOUNT, { cwd: dir, env }, ["--push", INSTANCE]);
    expect(auth.code, auth.stderr).toBe(0);
    expect(auth.stdout).toContain(`authorized ${ACCOUNT}`);
    expect(auth.stdout).toContain(
      `${ACCOUNT}: pushed to ${INSTANCE}:${hostStore()}; the host says: ok`,
    );
    const stats = await stat(hostStore());
    expect(stats.mode & 0o777).toBe(0o600);
    expect(stats.uid).toBe(NOBODY);
    const local = JSON.parse(await readFile(join(dir, "state/google-tokens.json"), "utf8"))
      .accounts[ACCOUNT];
    const remote = JSON.parse(await readFile(hostStore(), "utf8")).accounts[ACCOUNT];
    // The same refresh token; the client inline (the laptop's client file is not on the host).
    expect(remote.refreshToken).toBe(local.refreshToken);
    expect(remote.client).toEqual({
      clientId: "123.apps.googleusercontent.com",
      clientSecret: CLIENT_SECRET,
      publishingStatus: "production",
    });
    // The host refreshed it itself.
    expect(remote.lastRefreshOk).toBeDefined();
    // No secret in any process's command line or environment, nor in what jada printed.
    const seen = await photos();
    expect(seen).toContain("tokens import --account ops@sailjada.com");
    // (Booleans: a failure must not print every process's environment into the test log.)
    for (const [where, text] of Object.entries({ ps: seen, out: auth.stdout, err: auth.stderr })) {
      expect(text.includes(local.refreshToken), `the refresh token in ${where}`).toBe(false);
      expect(text.includes(CLIENT_SECRET), `the client secret in ${where}`).toBe(false);
    }
  });

  it("pushes every account with jada tokens push, and says what the host found (revoked: exit 2 with the fix)", async () => {
    google.queueRefresh("invalid_grant");
    const pushed = await runJada(["tokens", "push", INSTANCE, "--json"], { cwd: dir, env });
    expect(pushed.code, pushed.stderr).toBe(2);
    const [result] = JSON.parse(pushed.stdout);
    expect(result).toMatchObject({
      account: ACCOUNT,
      storePath: hostStore(),
      health: { status: "revoked", fix: `jada auth google --account ${ACCOUNT}` },
    });
    expect(pushed.stdout).not.toContain(CLIENT_SECRET);
  });

  it("fetches fresh access when the one handed out has expired", async () => {
    const before = fake.accessRequests;
    fake.issueExpiredAccessNext();
    const pushed = await runJada(["tokens", "push", INSTANCE, "--account", ACCOUNT], {
      cwd: dir,
      env,
    });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(fake.accessRequests).toBe(before + 2);
  });

  it("refuses a host whose key Lightsail did not report, and writes nothing", async () => {
    const other = await generateKey(dir, "other");
    const [algorithm, publicKey] = other.publicKey.split(" ");
    fake.setHostKeys(INSTANCE, [
      { algorithm: algorithm as string, publicKey: publicKey as string },
    ]);
    const before = await readFile(hostStore(), "utf8");
    try {
      const refused = await runJada(["tokens", "push", INSTANCE], { cwd: dir, env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        "jada: 127.0.0.1 presented a host key that Lightsail did not report: refused (possible interception, or a rebuilt instance)\n",
      );
      expect(await readFile(hostStore(), "utf8")).toBe(before);
    } finally {
      fake.setHostKeys(INSTANCE, sshd.hostKeys);
    }
  });

  it("says what is wrong: an unknown account, an unknown instance, a host without jada", async () => {
    const unknown = await runJada(["tokens", "push", INSTANCE, "--account", "x@sailjada.com"], {
      cwd: dir,
      env,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no account x@sailjada.com");
    const nowhere = await runJada(["tokens", "push", "nowhere"], { cwd: dir, env });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('unknown instance "nowhere"');
    await rm(join(host, "opt/jada/current"));
    try {
      const bare = await runJada(["tokens", "push", INSTANCE], { cwd: dir, env });
      expect(bare.code).toBe(1);
      expect(bare.stderr).toContain("jada is not installed on this host: run jada install first");
    } finally {
      await symlink("versions/dev", join(host, "opt/jada/current"));
    }
  });
});
