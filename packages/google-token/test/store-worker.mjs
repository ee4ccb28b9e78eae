// A separate process that writes to a token store over and over, to test the lock and the
// atomic writes against a real second writer. Uses the built package.
//   node store-worker.mjs STORE_PATH ID COUNT TOKEN_URL
import { createTokenManager, TokenStore } from "../dist/index.js";

const [path, id, count, tokenUrl] = process.argv.slice(2);
const store = new TokenStore(path);
const manager = createTokenManager({ store, endpoints: { tokenUrl } });
for (let i = 0; i < Number(count); i++) {
  await store.update((data) => {
    data.accounts[`worker-${id}-${i}@example.com`] = {
      client: { clientId: "c", clientSecret: "s", publishingStatus: "production" },
      refreshToken: `r-${id}-${i}`,
      scopes: [],
      refreshTokenObtainedAt: new Date().toISOString(),
    };
  });
  // Every 50th write, a real refresh of the shared account (which writes the store too).
  if (i % 50 === 0) await manager.refresh("ops@sailjada.com");
}
process.stdout.write(`done ${id}\n`);
