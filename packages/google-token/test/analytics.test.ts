// GA4 reports through the token manager, over fetch, against the Data API of the loopback Google.
import { describe, expect, it } from "vitest";
import { ANALYTICS_READONLY_SCOPE, createAnalyticsApi } from "../src/analytics/report.js";
import { createTokenManager } from "../src/token-manager.js";
import { TokenStore } from "../src/token-store.js";
import { ACCOUNT, google, tempDir } from "./helpers.js";

const PROPERTY = "412345678";
const day = (offset: number) =>
  new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");

async function setup(options: { scopes?: string[]; viewers?: string[] } = {}) {
  const fake = await google();
  const store = new TokenStore(`${await tempDir()}/google-tokens.json`);
  await store.update((data) => {
    data.accounts[ACCOUNT] = {
      client: {
        clientId: "1.apps.googleusercontent.com",
        clientSecret: "s",
        publishingStatus: "production",
      },
      refreshToken: fake.issueRefreshToken(ACCOUNT, options.scopes),
      scopes: options.scopes ?? [],
      refreshTokenObtainedAt: new Date().toISOString(),
    };
  });
  const manager = createTokenManager({ store, endpoints: { tokenUrl: fake.tokenUrl } });
  fake.addProperty(PROPERTY, {
    viewers: options.viewers,
    rows: [
      { date: day(1), pagePath: "/", activeUsers: 40, sessions: 52 },
      { date: day(1), pagePath: "/book", activeUsers: 12, sessions: 15 },
      { date: day(2), pagePath: "/", activeUsers: 30, sessions: 33 },
      { date: day(60), pagePath: "/", activeUsers: 999, sessions: 999 },
    ],
  });
  const api = createAnalyticsApi({
    account: ACCOUNT,
    getAccessToken: () => manager.getAccessToken(ACCOUNT),
    refresh: () => manager.refresh(ACCOUNT),
    rootUrl: fake.apiRootUrl,
    sleep: async () => {},
  });
  return { fake, api };
}

describe("runReport", () => {
  it("reports rows by dimension over the date range, with the property's quota", async () => {
    const { api } = await setup({ scopes: [ANALYTICS_READONLY_SCOPE] });
    const report = await api.runReport({
      property: `properties/${PROPERTY}`,
      metrics: ["activeUsers", "sessions"],
      dimensions: ["pagePath"],
      quota: true,
    });
    expect(report).toMatchObject({
      property: PROPERTY,
      dimensions: ["pagePath"],
      metrics: ["activeUsers", "sessions"],
      rows: [
        { pagePath: "/", activeUsers: "70", sessions: "85" },
        { pagePath: "/book", activeUsers: "12", sessions: "15" },
      ],
      rowCount: 2,
    });
    expect(report.quota?.["tokensPerDay"]).toEqual({ consumed: 10, remaining: 199_990 });
    const limited = await api.runReport({
      property: PROPERTY,
      metrics: ["sessions"],
      dimensions: ["date"],
      limit: 1,
    });
    expect(limited.rows).toHaveLength(1);
    expect(limited.rowCount).toBe(2);
    expect(limited.quota).toBeUndefined();
  });

  it("says which access to grant when the account cannot see the property", async () => {
    const { api } = await setup({ viewers: ["other@sailjada.com"] });
    await expect(
      api.runReport({ property: PROPERTY, metrics: ["sessions"] }),
    ).rejects.toMatchObject({
      code: "PERMISSION_DENIED",
      message: expect.stringContaining(
        `${ACCOUNT} cannot see GA4 property ${PROPERTY}: grant it the Viewer role (GA4 Admin > Property access management), or report with an account that has it (--account)`,
      ),
    });
  });

  it("a token without analytics.readonly: re-consent with that scope", async () => {
    const { api } = await setup({ scopes: ["https://www.googleapis.com/auth/spreadsheets"] });
    await expect(
      api.runReport({ property: PROPERTY, metrics: ["sessions"] }),
    ).rejects.toMatchObject({
      code: "INSUFFICIENT_SCOPE",
      remedy: { action: "reconsent", account: ACCOUNT, scopes: [ANALYTICS_READONLY_SCOPE] },
    });
  });

  it("retries a 429 and a 503, and names an unknown metric", async () => {
    const { api, fake } = await setup();
    fake.failNextReports(429, 503);
    const report = await api.runReport({ property: PROPERTY, metrics: ["sessions"] });
    expect(report.rows).toEqual([{ sessions: "100" }]);
    expect(fake.reportCounts.total).toBe(3);
    await expect(api.runReport({ property: PROPERTY, metrics: ["visits"] })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
      message: expect.stringContaining("Field visits is not a valid metric"),
    });
    await expect(api.runReport({ property: "G-ABC123", metrics: ["sessions"] })).rejects.toThrow(
      'a GA4 property id is a number (Admin > Property details), not "G-ABC123"',
    );
  });
});
