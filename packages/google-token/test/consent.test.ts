// The loopback consent flow against the fake Google: the "browser" is a fetch that follows the
// authorization endpoint's redirect back to jada's loopback server.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { authorize } from "../src/consent.js";
import type { GoogleFake } from "../src/testing/google-fake.js";
import { TokenStore } from "../src/token-store.js";
import { google, tempDir } from "./helpers.js";

const client = {
  clientId: "123-abc.apps.googleusercontent.com",
  clientSecret: "GOCSPX-secret",
  publishingStatus: "testing" as const,
};

/** What a browser does with the consent URL: sign in, consent, follow the redirect home. */
async function browse(url: string): Promise<{ status: number; text: string }> {
  const consent = await fetch(url, { redirect: "manual" });
  const location = consent.headers.get("location");
  if (location === null) return { status: consent.status, text: await consent.text() };
  const landing = await fetch(location);
  return { status: landing.status, text: await landing.text() };
}

async function run(fake: GoogleFake, options: { timeoutMs?: number; browse?: boolean } = {}) {
  const store = new TokenStore(join(await tempDir(), "tokens.json"));
  const landed: Array<{ status: number; text: string }> = [];
  const shown: string[] = [];
  const promise = authorize({
    account: "ops@sailjada.com",
    scopes: ["https://www.googleapis.com/auth/spreadsheets"],
    client,
    target: store,
    endpoints: { tokenUrl: fake.tokenUrl, authUrl: fake.authUrl, tokenInfoUrl: fake.tokenInfoUrl },
    show: (url) => {
      shown.push(url);
      if (options.browse !== false) void browse(url).then((result) => landed.push(result));
    },
    timeoutMs: options.timeoutMs,
  });
  return { store, promise, landed, shown };
}

describe("authorize", () => {
  it("runs the loopback flow with PKCE and state, verifies the account, and stores the tokens", async () => {
    const fake = await google();
    const { store, promise, landed, shown } = await run(fake);
    const result = await promise;
    expect(result.account).toBe("ops@sailjada.com");
    const url = new URL(shown[0] as string);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      access_type: "offline",
      prompt: "consent",
      code_challenge_method: "S256",
      login_hint: "ops@sailjada.com",
      response_type: "code",
    });
    expect(url.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(url.searchParams.get("state")?.length).toBeGreaterThanOrEqual(32);
    expect(url.searchParams.get("scope")?.split(" ")).toEqual(
      expect.arrayContaining(["openid", "email"]),
    );
    const record = await store.get("ops@sailjada.com");
    expect(record.refreshToken).toMatch(/^1\/\/0fake-/);
    expect(record.client).toEqual(client);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect(fake.counts.exchange).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(landed[0]).toEqual({
      status: 200,
      text: "jada: consent received. You can close this tab.",
    });
  });

  it("refuses an answer whose state does not match, writing nothing", async () => {
    const fake = await google();
    fake.tamperState(true);
    const { store, promise } = await run(fake);
    await expect(promise).rejects.toMatchObject({
      code: "CONSENT_FAILED",
      message: expect.stringContaining("state does not match"),
    });
    expect(await store.describe()).toEqual([]);
    expect(fake.counts.exchange).toBe(0);
  });

  it("refuses a consent given by another account", async () => {
    const fake = await google();
    fake.consentAs("someone.else@gmail.com");
    const { store, promise } = await run(fake);
    await expect(promise).rejects.toMatchObject({
      code: "CONSENT_FAILED",
      message: expect.stringContaining("given by someone.else@gmail.com, not ops@sailjada.com"),
    });
    expect(await store.describe()).toEqual([]);
  });

  it("reports a denied consent", async () => {
    const fake = await google();
    fake.denyConsent(true);
    const { promise } = await run(fake);
    await expect(promise).rejects.toMatchObject({
      code: "CONSENT_FAILED",
      message: expect.stringContaining("access_denied"),
    });
  });

  it("times out cleanly when nobody answers", async () => {
    const fake = await google();
    const { promise } = await run(fake, { timeoutMs: 150, browse: false });
    await expect(promise).rejects.toMatchObject({
      code: "CONSENT_FAILED",
      message: expect.stringContaining("no answer from the browser"),
    });
  });
});
