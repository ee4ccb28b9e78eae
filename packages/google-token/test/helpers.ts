import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { type GoogleFake, startGoogleFake } from "../src/testing/google-fake.js";
import { TokenStore } from "../src/token-store.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "jada-google-token-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A loopback Google, closed after the test. */
export async function google(): Promise<GoogleFake> {
  const fake = await startGoogleFake();
  cleanups.push(() => fake.close());
  return fake;
}

export const CLIENT_SECRET = "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6789";
export const ACCOUNT = "ops@sailjada.com";

/** A store holding one account whose refresh token the fake accepts. */
export async function storeWithAccount(
  fake: GoogleFake,
  options: { obtainedAt?: string; publishingStatus?: "testing" | "production" } = {},
) {
  const dir = await tempDir();
  const store = new TokenStore(join(dir, "google-tokens.json"));
  const refreshToken = fake.issueRefreshToken(ACCOUNT);
  await store.update((data) => {
    data.accounts[ACCOUNT] = {
      client: {
        clientId: "123-abc.apps.googleusercontent.com",
        clientSecret: CLIENT_SECRET,
        publishingStatus: options.publishingStatus ?? "production",
      },
      refreshToken,
      scopes: ["https://www.googleapis.com/auth/spreadsheets"],
      refreshTokenObtainedAt: options.obtainedAt ?? new Date().toISOString(),
    };
  });
  return { dir, store, refreshToken };
}
