import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { GoogleTokenError } from "./errors.js";
import { withFileLock } from "./file-lock.js";
import { mask } from "./redact.js";
import { type AccountRecord, type StoreData, storeSchema } from "./store-schema.js";

/**
 * Where account records can be written: the local store file, or (later) a store on another
 * host reached over ephemeral SSH. Re-consent writes through this, so it does not care which.
 */
export interface StoreTarget {
  /** Applies `mutate` to the current data under the store's lock and saves the result. */
  update(mutate: (data: StoreData) => void): Promise<StoreData>;
}

/** An account as `describe()` shows it: every secret masked. */
export interface AccountDescription {
  account: string;
  client: {
    clientId?: string;
    clientSecret?: string;
    clientFile?: string;
    publishingStatus: string;
  };
  refreshToken: string | undefined;
  scopes: string[];
  refreshTokenObtainedAt: string;
  accessToken: string | undefined;
  accessTokenExpiresAt: string | undefined;
  lastRefreshOk: string | undefined;
  lastError: AccountRecord["lastError"];
}

const EMPTY: StoreData = { version: 1, accounts: {} };

/**
 * One JSON file holding many Google accounts' tokens, kept safe:
 *
 * - created with mode 0600; a file group- or world-readable is refused with the `chmod` that
 *   fixes it, as ssh refuses private keys;
 * - every write is atomic (temporary file in the same directory, fsync, rename) and made under a
 *   lock after re-reading the file, so concurrent processes never corrupt it or lose an account;
 * - validated on every read; a corrupt file is reported with its path and never overwritten.
 */
export class TokenStore implements StoreTarget {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** The store's data (an empty store when the file does not exist yet). */
  async read(): Promise<StoreData> {
    let text: string;
    try {
      const stats = await stat(this.path);
      if (stats.isDirectory())
        throw new GoogleTokenError(
          "STORE_IO",
          `the token store ${this.path} is a directory: it must be a file (the store creates it, mode 0600); point the store at a file path inside it, such as ${this.path}/google-tokens.json`,
        );
      if ((stats.mode & 0o077) !== 0) {
        const mode = (stats.mode & 0o777).toString(8).padStart(4, "0");
        throw new GoogleTokenError(
          "STORE_INSECURE",
          `the token store ${this.path} is readable by group or others (mode ${mode}); it holds refresh tokens. Fix it with: chmod 600 ${this.path}`,
          { fix: `chmod 600 ${this.path}` },
        );
      }
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if (error instanceof GoogleTokenError) throw error;
      if ((error as { code?: unknown }).code === "ENOENT") return structuredClone(EMPTY);
      throw new GoogleTokenError(
        "STORE_IO",
        `cannot read the token store ${this.path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.corrupt(`not valid JSON (${(error as Error).message})`, error);
    }
    const parsed = storeSchema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "(top level)"}: ${issue.message}`)
        .join("; ");
      throw this.corrupt(where, parsed.error);
    }
    return parsed.data;
  }

  /** One account's record. @throws {GoogleTokenError} `NOT_FOUND`. */
  async get(account: string): Promise<AccountRecord> {
    const data = await this.read();
    const record = data.accounts[account];
    if (record === undefined) {
      const known = Object.keys(data.accounts);
      throw new GoogleTokenError(
        "NOT_FOUND",
        `no account ${account} in ${this.path}${known.length ? ` (accounts: ${known.join(", ")})` : " (it is empty)"}`,
        { account, remedy: { action: "reconsent", account } },
      );
    }
    return record;
  }

  async update(mutate: (data: StoreData) => void): Promise<StoreData> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    return withFileLock(this.path, async () => {
      // Re-read under the lock: another process may have written since we last looked.
      const data = await this.read();
      mutate(data);
      const checked = storeSchema.parse(data);
      await this.write(checked);
      return checked;
    });
  }

  /** Every account with its secrets masked: safe for logs and terminals. */
  async describe(): Promise<AccountDescription[]> {
    const data = await this.read();
    return Object.entries(data.accounts)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([account, record]) => describeAccount(account, record));
  }

  private corrupt(detail: string, cause: unknown): GoogleTokenError {
    return new GoogleTokenError(
      "STORE_CORRUPT",
      `the token store ${this.path} is corrupt: ${detail}. It was left untouched: restore it from a backup, or move it aside and re-authorize the accounts`,
      { cause },
    );
  }

  private async write(data: StoreData): Promise<void> {
    const temporary = join(
      dirname(this.path),
      `.${basename(this.path)}.${randomBytes(6).toString("hex")}.tmp`,
    );
    try {
      const handle = await open(temporary, "wx", 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`, "utf8");
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw new GoogleTokenError(
        "STORE_IO",
        `cannot write the token store ${this.path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

/** An account record with every secret masked. */
export function describeAccount(account: string, record: AccountRecord): AccountDescription {
  const client = record.client;
  return {
    account,
    client:
      "clientFile" in client
        ? { clientFile: client.clientFile, publishingStatus: client.publishingStatus }
        : {
            clientId: client.clientId,
            clientSecret: mask(client.clientSecret),
            publishingStatus: client.publishingStatus,
          },
    refreshToken: mask(record.refreshToken),
    scopes: record.scopes,
    refreshTokenObtainedAt: record.refreshTokenObtainedAt,
    accessToken: mask(record.accessToken),
    accessTokenExpiresAt: record.accessTokenExpiresAt,
    lastRefreshOk: record.lastRefreshOk,
    lastError: record.lastError,
  };
}
