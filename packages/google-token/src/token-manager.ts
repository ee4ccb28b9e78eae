import type { OAuth2Client } from "google-auth-library";
import { classifyTokenError } from "./classify.js";
import { resolveClient } from "./client-config.js";
import {
  describeTokenFix,
  GoogleTokenError,
  type GoogleTokenErrorCode,
  type TokenFix,
} from "./errors.js";
import type { AccountRecord } from "./store-schema.js";
import type { TokenStore } from "./token-store.js";

/** Port: the time. Injected so tests can be a week or six months later. */
export interface Clock {
  now(): number;
}

/** Google's OAuth endpoints; configurable for proxies and tests. */
export interface OAuthEndpoints {
  /** Default `https://oauth2.googleapis.com/token`. */
  tokenUrl?: string | undefined;
  /** Default `https://accounts.google.com/o/oauth2/v2/auth`. */
  authUrl?: string | undefined;
  /** Default `https://oauth2.googleapis.com/tokeninfo`. */
  tokenInfoUrl?: string | undefined;
}

/** Options of {@link createTokenManager}. */
export interface TokenManagerOptions {
  store: TokenStore;
  endpoints?: OAuthEndpoints | undefined;
  /** Refresh this long before the access token expires (default 5 minutes). */
  refreshThresholdMs?: number | undefined;
  clock?: Clock | undefined;
}

/** Health of one account, as `check()` reports it. */
export interface TokenHealth {
  account: string;
  status: "ok" | "expiring" | "revoked" | "misconfigured" | "unknown";
  reasons: string[];
  /** ISO time of the last successful refresh, if any. */
  lastRefreshOk: string | undefined;
  refreshTokenAgeDays: number;
  warnings: string[];
  /** What fixes it, as data (the caller words it), or null when nothing needs fixing. */
  remedy: TokenFix | null;
  /** The same in the library's words ({@link describeTokenFix}), or null. */
  fix: string | null;
}

/** What {@link TokenManager.getAccessToken} and `refresh` return. */
export interface AccessToken {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Refreshes, hands out and checks Google access tokens for the accounts of a store. */
export interface TokenManager {
  /**
   * A valid access token, refreshed ahead of expiry; one refresh in flight per account.
   * @throws {GoogleTokenError} with the classified code.
   */
  getAccessToken(account: string): Promise<string>;
  /** Refreshes now, whatever the expiry. */
  refresh(account: string): Promise<AccessToken>;
  /**
   * An auth client for the googleapis clients (`@googleapis/sheets`, ...), whose tokens come
   * from this manager and so from (and into) the store.
   */
  authClient(account: string): Promise<OAuth2Client>;
  /** The health of an account: a real refresh unless `refresh: false`. */
  check(account: string, options?: { refresh?: boolean }): Promise<TokenHealth>;
  /** The health of every account of the store. */
  checkAll(options?: { refresh?: boolean }): Promise<TokenHealth[]>;
}

const DAY = 24 * 60 * 60 * 1000;
/** Google revokes refresh tokens of apps in Testing publishing status after 7 days. */
export const TESTING_TOKEN_LIFETIME_DAYS = 7;
/** Google revokes refresh tokens unused for 6 months. */
export const UNUSED_TOKEN_LIFETIME_DAYS = 182;

/**
 * Creates the token manager of a store.
 *
 * @example
 * ```ts
 * const manager = createTokenManager({ store: new TokenStore("/var/lib/jada/google-tokens.json") });
 * const sheets = new sheets_v4.Sheets({ auth: await manager.authClient("ops@sailjada.com") });
 * ```
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const { store } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const threshold = options.refreshThresholdMs ?? 5 * 60_000;
  const inFlight = new Map<string, Promise<AccessToken>>();

  const oauthClient = async (account: string, record: AccountRecord): Promise<OAuth2Client> => {
    const client = await resolveClient(record.client, account);
    // Loaded on the first refresh: reading the store and judging a token (a dashboard, a check
    // without refresh) never loads google-auth-library and its HTTP stack.
    const { OAuth2Client } = await import("google-auth-library");
    return new OAuth2Client({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      endpoints: {
        ...(options.endpoints?.tokenUrl ? { oauth2TokenUrl: options.endpoints.tokenUrl } : {}),
        ...(options.endpoints?.authUrl ? { oauth2AuthBaseUrl: options.endpoints.authUrl } : {}),
        ...(options.endpoints?.tokenInfoUrl
          ? { tokenInfoUrl: options.endpoints.tokenInfoUrl }
          : {}),
      },
    });
  };

  // google-auth-library already retries the refresh POST on network errors, 429 and 5xx with
  // exponential backoff (gaxios); what still fails after that is classified, never retried again.
  const refreshOnce = async (account: string): Promise<AccessToken> => {
    const record = await store.get(account);
    const secrets = [
      record.refreshToken,
      record.accessToken,
      "clientSecret" in record.client ? record.client.clientSecret : undefined,
    ];
    try {
      const client = await oauthClient(account, record);
      client.setCredentials({ refresh_token: record.refreshToken });
      // The library puts the old refresh token back into its credentials; the raw response,
      // which may carry a rotated one, is only seen by this event.
      let rotated: string | undefined;
      client.once("tokens", (tokens: { refresh_token?: string | null }) => {
        rotated = tokens.refresh_token ?? undefined;
      });
      const { credentials } = await client.refreshAccessToken();
      if (!credentials.access_token) throw new Error("the token endpoint returned no access token");
      const lifetime = (credentials.expiry_date ?? Date.now() + 3600_000) - Date.now();
      const token: AccessToken = {
        token: credentials.access_token,
        expiresAt: clock.now() + lifetime,
      };
      const now = new Date(clock.now()).toISOString();
      await store.update((data) => {
        const current = data.accounts[account];
        if (current === undefined) return;
        current.accessToken = token.token;
        current.accessTokenExpiresAt = new Date(token.expiresAt).toISOString();
        current.lastRefreshOk = now;
        delete current.lastError;
        // A response without refresh_token never erases ours; a rotated one replaces it.
        if (rotated && rotated !== current.refreshToken) {
          current.refreshToken = rotated;
          current.refreshTokenObtainedAt = now;
        }
      });
      return token;
    } catch (error) {
      const failure =
        error instanceof GoogleTokenError ? error : classifyTokenError(error, account, secrets);
      // Remember the failure, but never touch the refresh token: a transient error is not a revocation.
      await store
        .update((data) => {
          const current = data.accounts[account];
          if (current)
            current.lastError = {
              code: failure.code,
              at: new Date(clock.now()).toISOString(),
              message: failure.message,
            };
        })
        .catch(() => {});
      throw failure;
    }
  };

  const refresh = (account: string): Promise<AccessToken> => {
    const running = inFlight.get(account);
    if (running) return running;
    const promise = refreshOnce(account).finally(() => inFlight.delete(account));
    inFlight.set(account, promise);
    return promise;
  };

  const getAccessToken = async (account: string): Promise<string> => {
    const record = await store.get(account);
    const expiresAt = record.accessTokenExpiresAt ? Date.parse(record.accessTokenExpiresAt) : 0;
    if (record.accessToken && expiresAt - threshold > clock.now()) return record.accessToken;
    return (await refresh(account)).token;
  };

  const check = async (
    account: string,
    checkOptions: { refresh?: boolean } = {},
  ): Promise<TokenHealth> => {
    let record = await store.get(account);
    const reasons: string[] = [];
    const warnings: string[] = [];
    let failure: GoogleTokenErrorCode | undefined;
    let publishingStatus: "testing" | "production" = record.client.publishingStatus;
    try {
      publishingStatus = (await resolveClient(record.client, account)).publishingStatus;
    } catch (error) {
      failure = "MISCONFIGURED";
      reasons.push((error as Error).message);
    }
    if (failure === undefined && checkOptions.refresh !== false) {
      try {
        await refresh(account);
        reasons.push("a refresh just succeeded");
      } catch (error) {
        failure = (error as GoogleTokenError).code ?? "TRANSIENT";
        reasons.push((error as Error).message);
      }
      record = await store.get(account);
    } else if (failure === undefined && record.lastError) {
      failure = record.lastError.code as GoogleTokenErrorCode;
      reasons.push(
        `last refresh failed at ${record.lastError.at}: ${record.lastError.message ?? record.lastError.code}`,
      );
    }

    const now = clock.now();
    const obtainedAt = Date.parse(record.refreshTokenObtainedAt);
    const ageDays = Math.max(0, Math.floor((now - obtainedAt) / DAY));
    const lastUse = record.lastRefreshOk ? Date.parse(record.lastRefreshOk) : obtainedAt;
    let expiring = false;
    if (publishingStatus === "testing") {
      const dies = obtainedAt + TESTING_TOKEN_LIFETIME_DAYS * DAY;
      const daysLeft = Math.ceil((dies - now) / DAY);
      if (daysLeft <= 2) {
        expiring = true;
        warnings.push(
          `the OAuth app is in Testing status: Google revokes its refresh tokens ${TESTING_TOKEN_LIFETIME_DAYS} days after consent; this one ${daysLeft > 0 ? `dies in ${daysLeft} day${daysLeft === 1 ? "" : "s"}` : "is past that"} (${new Date(dies).toISOString()}). Publish the app to Production, or consent again`,
        );
      }
    }
    const unusedDays = Math.floor((now - lastUse) / DAY);
    if (unusedDays >= UNUSED_TOKEN_LIFETIME_DAYS - 30) {
      expiring = true;
      warnings.push(
        `unused for ${unusedDays} days: Google revokes refresh tokens unused for 6 months`,
      );
    }

    let status: TokenHealth["status"];
    if (failure === "INVALID_GRANT" || failure === "INVALID_RAPT") status = "revoked";
    else if (failure === "INVALID_CLIENT" || failure === "MISCONFIGURED") status = "misconfigured";
    else if (failure !== undefined) status = "unknown";
    else if (checkOptions.refresh === false && !record.lastRefreshOk) {
      status = "unknown";
      reasons.push("never refreshed, and no refresh was made");
    } else status = expiring ? "expiring" : "ok";

    const remedy: TokenFix | null =
      status === "ok"
        ? null
        : status === "misconfigured"
          ? { action: "reconsent", account, newClient: true }
          : status === "unknown"
            ? { action: "check", account }
            : { action: "reconsent", account };
    const fix = remedy ? describeTokenFix(remedy) : null;
    return {
      account,
      status,
      reasons,
      lastRefreshOk: record.lastRefreshOk,
      refreshTokenAgeDays: ageDays,
      warnings,
      remedy,
      fix,
    };
  };

  return {
    getAccessToken,
    refresh,
    async authClient(account) {
      const record = await store.get(account);
      const client = await oauthClient(account, record);
      if (record.accessToken && record.accessTokenExpiresAt) {
        client.setCredentials({
          access_token: record.accessToken,
          expiry_date: Date.parse(record.accessTokenExpiresAt),
        });
      }
      client.eagerRefreshThresholdMillis = threshold;
      // Every refresh goes through the manager: single flight, classified errors, the store kept up to date.
      client.refreshHandler = async () => {
        const token = await getAccessToken(account);
        const current = await store.get(account);
        return {
          access_token: token,
          expiry_date: Date.parse(current.accessTokenExpiresAt ?? "") || clock.now() + 3600_000,
        };
      };
      return client;
    },
    check,
    async checkAll(checkOptions) {
      const data = await store.read();
      const accounts = Object.keys(data.accounts).sort();
      const results: TokenHealth[] = [];
      for (const account of accounts) results.push(await check(account, checkOptions));
      return results;
    },
  };
}
