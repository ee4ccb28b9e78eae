// The loopback Google and a token store holding one account it accepts, for the Google benches.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenManager, type TokenManager, TokenStore } from "@jada/google-token";
import { type GoogleFake, startGoogleFake } from "@jada/google-token/testing";

/** A started fake, a store in a fresh directory with `account` in it, and its manager. */
export async function benchGoogle(account: string): Promise<{
  google: GoogleFake;
  dir: string;
  manager: TokenManager;
}> {
  const dir = await mkdtemp(join(tmpdir(), "jada-bench-google-"));
  const google = await startGoogleFake();
  const store = new TokenStore(join(dir, "google-tokens.json"));
  await store.update((data) => {
    data.accounts[account] = {
      client: {
        clientId: "bench.apps.googleusercontent.com",
        clientSecret: "bench-secret",
        publishingStatus: "production",
      },
      refreshToken: google.issueRefreshToken(account),
      scopes: [],
      refreshTokenObtainedAt: new Date().toISOString(),
    };
  });
  return {
    google,
    dir,
    manager: createTokenManager({ store, endpoints: { tokenUrl: google.tokenUrl } }),
  };
}
