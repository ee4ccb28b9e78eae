// The token manager with the real google-auth-library (and googleapis Sheets client) against
// the loopback Google of ./testing.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sheets } from "@googleapis/sheets";
import { describe, expect, it } from "vitest";
import { createTokenManager } from "../src/token-manager.js";
import type { TokenStore } from "../src/token-store.js";
import { ACCOUNT, CLIENT_SECRET, google, storeWithAccount } from "./helpers.js";

const DAY = 24 * 3600 * 1000;

async function setup(options: Parameters<typeof storeWithAccount>[1] = {}, now = Date.now()) {
  const fake = await google();
  const { store, refreshToken, dir } = await storeWithAccount(fake, options);
  let clock = now;
  const manager = createTokenManager({
    store,
    endpoints: { tokenUrl: fake.tokenUrl, authUrl: fake.authUrl, tokenInfoUrl: fake.tokenInfoUrl },
    clock: { now: () => clock },
  });
  return { fake, store, refreshToken, dir, manager, advance: (ms: number) => (clock += ms) };
}

async function storedRefreshToken(store: TokenStore): Promise<string> {
  return (await store.get(ACCOUNT)).refreshToken;
}

describe("getAccessToken", () => {
  it("refreshes when there is no token, then reuses it until shortly before expiry", async () => {
    const { fake, manager, store, advance } = await setup();
    const first = await manager.getAccessToken(ACCOUNT);
    expect(first).toMatch(/^ya29\./);
    expect(await manager.getAccessToken(ACCOUNT)).toBe(first);
    expect(fake.counts.refresh).toBe(1);
    const record = await store.get(ACCOUNT);
    expect(record.accessToken).toBe(first);
    expect(record.lastRefreshOk).toBeDefined();

    advance(54 * 60_000); // 6 minutes before the hour is up: still fine
    expect(await manager.getAccessToken(ACCOUNT)).toBe(first);
    advance(2 * 60_000); // within the 5-minute threshold: refreshed ahead of expiry
    const second = await manager.getAccessToken(ACCOUNT);
    expect(second).not.toBe(first);
    expect(fake.counts.refresh).toBe(2);
  });

  it("keeps one refresh in flight per account", async () => {
    const { fake, manager } = await setup();
    const tokens = await Promise.all(
      Array.from({ length: 8 }, () => manager.getAccessToken(ACCOUNT)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(fake.counts.refresh).toBe(1);
  });

  it("stores a rotated refresh token, and never erases one when the response has none", async () => {
    const { fake, manager, store, refreshToken } = await setup();
    await manager.refresh(ACCOUNT);
    expect(await storedRefreshToken(store)).toBe(refreshToken);
    fake.queueRefresh("rotate");
    await manager.refresh(ACCOUNT);
    const rotated = await storedRefreshToken(store);
    expect(rotated).not.toBe(refreshToken);
    await manager.refresh(ACCOUNT);
    expect(await storedRefreshToken(store)).toBe(rotated);
  });
});

describe("errors", () => {
  it("classifies invalid_grant as INVALID_GRANT with the re-consent command, keeping the token", async () => {
    const { fake, manager, store, refreshToken } = await setup();
    fake.queueRefresh("invalid_grant");
    await expect(manager.getAccessToken(ACCOUNT)).rejects.toMatchObject({
      code: "INVALID_GRANT",
      remedy: { action: "reconsent", account: ACCOUNT },
      fix: `consent again for ${ACCOUNT} (the OAuth consent flow)`,
      message: expect.stringContaining("revoked or has expired"),
    });
    const record = await store.get(ACCOUNT);
    expect(record.refreshToken).toBe(refreshToken);
    expect(record.lastError?.code).toBe("INVALID_GRANT");
    expect(fake.counts.refresh).toBe(1); // not retried: retrying a revocation changes nothing
  });

  it("classifies invalid_rapt and invalid_client", async () => {
    const { fake, manager } = await setup();
    fake.queueRefresh("invalid_rapt");
    await expect(manager.refresh(ACCOUNT)).rejects.toMatchObject({ code: "INVALID_RAPT" });
    fake.queueRefresh("invalid_client");
    await expect(manager.refresh(ACCOUNT)).rejects.toMatchObject({ code: "INVALID_CLIENT" });
  });

  it("retries 429, 503 and dropped connections, and then succeeds", async () => {
    const { fake, manager, store } = await setup();
    fake.queueRefresh("503", "drop", "429");
    await expect(manager.getAccessToken(ACCOUNT)).resolves.toMatch(/^ya29\./);
    expect(fake.counts.refresh).toBe(4);
    expect((await store.get(ACCOUNT)).lastError).toBeUndefined();
  });

  it("reports TRANSIENT after the retries, never touching the refresh token", async () => {
    const { fake, manager, store, refreshToken } = await setup();
    fake.queueRefresh("503", "503", "503", "503");
    await expect(manager.refresh(ACCOUNT)).rejects.toMatchObject({ code: "TRANSIENT" });
    const record = await store.get(ACCOUNT);
    expect(record.refreshToken).toBe(refreshToken);
    expect(record.lastError?.code).toBe("TRANSIENT");
  });

  it("never puts a secret in an error or a stored message", async () => {
    const { fake, manager, store, refreshToken } = await setup();
    const messages: string[] = [];
    for (const behavior of ["invalid_grant", "invalid_rapt", "invalid_client", "drop"] as const) {
      fake.queueRefresh(behavior, behavior, behavior, behavior);
      const error = await manager.refresh(ACCOUNT).catch((e: Error) => e);
      messages.push(String(error), JSON.stringify(error), (error as Error).stack ?? "");
    }
    messages.push(
      await import("node:fs/promises")
        .then((fs) => fs.readFile(store.path, "utf8"))
        .then((text) => JSON.stringify(JSON.parse(text).accounts[ACCOUNT].lastError)),
    );
    messages.push(JSON.stringify(await store.describe()));
    for (const text of messages) {
      expect(text).not.toContain(refreshToken);
      expect(text).not.toContain(CLIENT_SECRET);
    }
  });
});

describe("check", () => {
  it("is ok after a real refresh", async () => {
    const { manager } = await setup();
    const health = await manager.check(ACCOUNT);
    expect(health).toMatchObject({
      account: ACCOUNT,
      status: "ok",
      fix: null,
      warnings: [],
      refreshTokenAgeDays: 0,
    });
    expect(health.lastRefreshOk).toBeDefined();
  });

  it("says revoked, with the exact fix", async () => {
    const { fake, manager } = await setup();
    fake.queueRefresh("invalid_grant");
    const health = await manager.check(ACCOUNT);
    expect(health).toMatchObject({
      status: "revoked",
      remedy: { action: "reconsent", account: ACCOUNT },
    });
    expect(health.reasons[0]).toContain("revoked");
  });

  it("says unknown, not ok and not revoked, when Google cannot be reached", async () => {
    const { fake, manager } = await setup();
    fake.queueRefresh("503", "503", "503", "503");
    expect(await manager.check(ACCOUNT)).toMatchObject({
      status: "unknown",
      remedy: { action: "check", account: ACCOUNT },
      fix: `check ${ACCOUNT} again, with a refresh`,
    });
  });

  it("says misconfigured when the client file is unusable", async () => {
    const { manager, store, dir } = await setup();
    const clientFile = join(dir, "client.json");
    await writeFile(clientFile, JSON.stringify({ other: {} }));
    await store.update((data) => {
      const account = data.accounts[ACCOUNT];
      if (account) account.client = { clientFile, publishingStatus: "production" };
    });
    const health = await manager.check(ACCOUNT);
    expect(health.status).toBe("misconfigured");
    expect(health.remedy).toEqual({ action: "reconsent", account: ACCOUNT, newClient: true });
    expect(health.fix).toContain("client_secret.json");
  });

  it("reads a Google client_secret file", async () => {
    const { manager, store, dir } = await setup();
    const clientFile = join(dir, "client_secret.json");
    await writeFile(
      clientFile,
      JSON.stringify({
        installed: { client_id: "x.apps.googleusercontent.com", client_secret: "s3cret" },
      }),
    );
    await store.update((data) => {
      const account = data.accounts[ACCOUNT];
      if (account) account.client = { clientFile, publishingStatus: "production" };
    });
    expect((await manager.check(ACCOUNT)).status).toBe("ok");
  });

  it("warns before the 7-day death of a Testing app's token", async () => {
    const obtained = Date.parse("2026-11-01T12:00:00Z");
    const { manager, advance } = await setup(
      { publishingStatus: "testing", obtainedAt: new Date(obtained).toISOString() },
      obtained,
    );
    expect((await manager.check(ACCOUNT)).status).toBe("ok");
    advance(5.5 * DAY);
    const health = await manager.check(ACCOUNT);
    expect(health.status).toBe("expiring");
    expect(health.refreshTokenAgeDays).toBe(5);
    expect(health.warnings[0]).toContain("Testing status");
    expect(health.warnings[0]).toContain("dies in 2 days");
    expect(health.remedy).toEqual({ action: "reconsent", account: ACCOUNT });
  });

  it("warns before the 6-month death of an unused token, without refreshing when told not to", async () => {
    const obtained = Date.parse("2026-01-01T00:00:00Z");
    const { fake, manager, store, advance } = await setup(
      { obtainedAt: new Date(obtained).toISOString() },
      obtained,
    );
    await manager.refresh(ACCOUNT);
    advance(160 * DAY);
    const health = await manager.check(ACCOUNT, { refresh: false });
    expect(fake.counts.refresh).toBe(1);
    expect(health.status).toBe("expiring");
    expect(health.warnings).toEqual([expect.stringContaining("unused for 160 days")]);
    expect((await store.get(ACCOUNT)).lastRefreshOk).toBe(new Date(obtained).toISOString());
  });

  it("checks every account", async () => {
    const { manager, store, fake } = await setup();
    await store.update((data) => {
      data.accounts["property@sailjada.com"] = {
        client: { clientId: "c", clientSecret: "s", publishingStatus: "production" },
        refreshToken: fake.issueRefreshToken("property@sailjada.com"),
        scopes: [],
        refreshTokenObtainedAt: new Date().toISOString(),
      };
    });
    const all = await manager.checkAll();
    expect(all.map((health) => [health.account, health.status])).toEqual([
      [ACCOUNT, "ok"],
      ["property@sailjada.com", "ok"],
    ]);
  });
});

describe("authClient", () => {
  it("reads a sheet through @googleapis/sheets, refreshing through the manager", async () => {
    const { fake, manager, store } = await setup();
    fake.addSpreadsheet("sheet-1", {
      tabs: {
        Bookings: [
          ["Date", "Guest"],
          ["2026-11-24", "Grace"],
        ],
      },
    });
    const auth = await manager.authClient(ACCOUNT);
    const api = sheets({ version: "v4", auth, rootUrl: fake.apiRootUrl });
    const response = await api.spreadsheets.values.get({
      spreadsheetId: "sheet-1",
      range: "Bookings!A1:B2",
    });
    expect(response.data.values).toEqual([
      ["Date", "Guest"],
      ["2026-11-24", "Grace"],
    ]);
    expect(fake.counts.sheets).toBe(1);
    expect(fake.counts.refresh).toBe(1);
    expect((await store.get(ACCOUNT)).lastRefreshOk).toBeDefined();
    // A second call reuses the token.
    await api.spreadsheets.values.get({ spreadsheetId: "sheet-1", range: "Bookings!A1" });
    expect(fake.counts.refresh).toBe(1);
  });

  it("surfaces a revocation as INVALID_GRANT through the Sheets client", async () => {
    const { fake, manager } = await setup();
    fake.queueRefresh("invalid_grant");
    const auth = await manager.authClient(ACCOUNT);
    const api = sheets({ version: "v4", auth, rootUrl: fake.apiRootUrl });
    const error = await api.spreadsheets.values
      .get({ spreadsheetId: "sheet-1", range: "Bookings!A1" })
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("INVALID_GRANT");
  });
});
