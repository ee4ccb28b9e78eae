/**
 * `@jada/google-token`: Google OAuth tokens that never fail silently. A store file that is
 * safe under concurrency and refuses loose permissions, refresh ahead of expiry with typed
 * errors (`INVALID_GRANT` means re-consent, `TRANSIENT` never does), health checks that warn
 * before Google's known deaths with the exact fix command, and a loopback PKCE re-consent.
 *
 * @packageDocumentation
 */
export { classifyTokenError, isTransient } from "./classify.js";
export { type ResolvedClient, resolveClient } from "./client-config.js";
export { type AuthorizeOptions, type AuthorizeResult, authorize } from "./consent.js";
export {
  describeTokenFix,
  GoogleTokenError,
  type GoogleTokenErrorCode,
  isGoogleTokenError,
  type TokenFix,
} from "./errors.js";
export { type LockOptions, withFileLock } from "./file-lock.js";
export { mask, redact } from "./redact.js";
export {
  type AccountRecord,
  accountSchema,
  type ClientConfig,
  clientSchema,
  type StoreData,
  storeSchema,
} from "./store-schema.js";
export {
  type AccessToken,
  type Clock,
  createTokenManager,
  type OAuthEndpoints,
  TESTING_TOKEN_LIFETIME_DAYS,
  type TokenHealth,
  type TokenManager,
  type TokenManagerOptions,
  UNUSED_TOKEN_LIFETIME_DAYS,
} from "./token-manager.js";
export {
  type AccountDescription,
  describeAccount,
  type StoreTarget,
  TokenStore,
} from "./token-store.js";
