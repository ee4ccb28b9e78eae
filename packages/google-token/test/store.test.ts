import { spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TokenStore } from "../src/token-store.js";
import { ACCOUNT, CLIENT_SECRET, google, storeWithAccount, tempDir } from "./helpers.js";

describe("TokenStore", () => {
  it("creates the file with mode 0600 and reads back what it wrote", async () => {
    const fake = await google();
    const { store, refreshToken } = await storeWithAccount(fake);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect((await store.get(ACCOUNT)).refreshToken).toBe(refreshToken);
  });

  it("refuses a store readable by group or others, saying how to fix it", async () => {
    const fake = await google();
    const { store } = await storeWithAccount(fake);
    await chmod(store.path, 0o644);
    await expect(store.read()).rejects.toMatchObject({
      code: "STORE_INSECURE",
      message: expect.stringContaining(
        `(mode 0644); it holds refresh tokens. Fix it with: chmod 600 ${store.path}`,
      ),
    });
    await expect(store.update(() => {})).rejects.toMatchObject({ code: "STORE_INSECURE" });
  });

  it("reports a corrupt store with its path and never overwrites it", async () => {
    const dir = await tempDir();
    const path = join(dir, "tokens.json");
    await writeFile(path, '{"version": 1, "accounts": {"a@b.c": {"refreshToken": 42}}', {
      mode: 0o600,
    });
    const store = new TokenStore(path);
    const before = await readFile(path, "utf8");
    await expect(store.read()).rejects.toMatchObject({
      code: "STORE_CORRUPT",
      message: expect.stringContaining(path),
    });
    const wipe = (data: { accounts: Record<string, unknown> }) => {
      data.accounts = {};
    };
    await expect(store.update(wipe)).rejects.toMatchObject({
      code: "STORE_CORRUPT",
    });
    expect(await readFile(path, "utf8")).toBe(before);

    await writeFile(
      path,
      JSON.stringify({ version: 1, accounts: { "a@b.c": { refreshToken: 42 } } }),
      { mode: 0o600 },
    );
    await expect(store.read()).rejects.toMatchObject({
      code: "STORE_CORRUPT",
      message: expect.stringContaining("a@b.c"),
    });
  });

  it("says a store path that is a directory is one, rather than asking for a chmod", async () => {
    const dir = await tempDir();
    await expect(new TokenStore(dir).read()).rejects.toMatchObject({
      code: "STORE_IO",
      message: expect.stringContaining("is a directory: it must be a file"),
    });
  });

  it("says which accounts exist when one is not found", async () => {
    const fake = await google();
    const { store } = await storeWithAccount(fake);
    await expect(store.get("nobody@sailjada.com")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining(`(accounts: ${ACCOUNT})`),
      remedy: { action: "reconsent", account: "nobody@sailjada.com" },
    });
  });

  it("masks every secret in describe()", async () => {
    const fake = await google();
    const { store, refreshToken } = await storeWithAccount(fake);
    const [description] = await store.describe();
    const text = JSON.stringify(description);
    expect(text).not.toContain(refreshToken);
    expect(text).not.toContain(CLIENT_SECRET);
    expect(description?.refreshToken).toBe(
      `${refreshToken.slice(0, 4)}…(${refreshToken.length} chars)`,
    );
    expect(description?.client.clientSecret).toBe(`GOCS…(${CLIENT_SECRET.length} chars)`);
  });

  it("loses nothing when two processes write the same store 500 times each", async () => {
    const fake = await google();
    const { store } = await storeWithAccount(fake);
    const worker = fileURLToPath(new URL("./store-worker.mjs", import.meta.url));
    const runWorker = async (id: string) => {
      const child = spawn(process.execPath, [worker, store.path, id, "500", fake.tokenUrl], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      const [code] = await once(child, "exit");
      return { code, output };
    };
    const results = await Promise.all([runWorker("a"), runWorker("b")]);
    expect(results).toEqual([
      { code: 0, output: "done a\n" },
      { code: 0, output: "done b\n" },
    ]);
    const data = await store.read();
    const workers = Object.keys(data.accounts).filter((account) => account.startsWith("worker-"));
    expect(workers).toHaveLength(1000);
    // The shared account was refreshed by both all along, and its refresh token survived.
    expect(data.accounts[ACCOUNT]?.lastRefreshOk).toBeDefined();
    expect(fake.counts.refresh).toBeGreaterThanOrEqual(2);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
  }, 120_000);
});
