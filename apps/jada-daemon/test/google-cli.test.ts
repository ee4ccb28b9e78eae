// `jada auth google` and `jada tokens` as a user runs them (in process, through main), against
// the loopback Google of @jada/google-token/testing.
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GoogleFake, startGoogleFake } from "@jada/google-token/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeGoogle, writeGoogleSetup } from "./consent.js";
import { runJada } from "./run-jada.js";

const CLIENT_SECRET = "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est";
let root: string;
let google: GoogleFake;

const jada = (args: string[], onStderr?: (text: string) => void) =>
  runJada(args, { cwd: root, ...(onStderr ? { onStderr } : {}) });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "jada-google-cli-"));
  google = await startGoogleFake();
  await writeGoogleSetup(root, google, { clientSecret: CLIENT_SECRET });
});
afterAll(async () => {
  await google.close();
  await rm(root, { recursive: true, force: true });
});

describe("jada auth google and jada tokens", () => {
  it("authorizes an account through the printed URL, then checks and lists it", async () => {
    // The person opens the printed URL and consents; Google redirects to jada's loopback page.
    const auth = await authorizeGoogle("ops@sailjada.com", { cwd: root });
    expect(auth.code).toBe(0);
    expect(auth.stdout).toContain("authorized ops@sailjada.com");
    const storePath = join(root, "state", "google-tokens.json");
    expect((await stat(storePath)).mode & 0o777).toBe(0o600);

    const check = await jada(["tokens", "check"]);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/ops@sailjada\.com +ok +0 d/);

    const list = await jada(["tokens", "list", "--json"]);
    const [account] = JSON.parse(list.stdout);
    expect(account.refreshToken).toMatch(/^1\/\/0…\(\d+ chars\)$/);
    const stored = JSON.parse(await readFile(storePath, "utf8")).accounts["ops@sailjada.com"]
      .refreshToken;
    for (const output of [check.stdout, check.stderr, list.stdout, auth.stdout, auth.stderr]) {
      expect(output).not.toContain(stored);
      expect(output).not.toContain(CLIENT_SECRET);
    }
  });

  it("exits 2 with the exact fix when a token is revoked, and 1 when Google cannot be asked", async () => {
    google.queueRefresh("invalid_grant");
    const revoked = await jada(["tokens", "check", "--account", "ops@sailjada.com"]);
    expect(revoked.code).toBe(2);
    expect(revoked.stdout).toContain("revoked");
    expect(revoked.stdout).toContain("fix: jada auth google --account ops@sailjada.com");

    google.queueRefresh("503", "503", "503", "503");
    const unknown = await jada(["tokens", "check", "--json"]);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)[0]).toMatchObject({ status: "unknown" });
  });

  it("rejects bad input with exit 2", async () => {
    const notFound = await jada(["tokens", "check", "--account", "nobody@sailjada.com"]);
    expect(notFound.code).toBe(2);
    expect(notFound.stderr).toContain("no account nobody@sailjada.com");
    const noClient = await jada([
      "auth",
      "google",
      "--account",
      "new@sailjada.com",
      "--no-browser",
    ]);
    expect(noClient.code).toBe(2);
    expect(noClient.stderr).toContain("pass --client-file");
  });
});
