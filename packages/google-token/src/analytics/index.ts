/**
 * `@jada/google-token/analytics`: GA4 reports through the token store (the Data API's
 * `runReport`), with the property's quota, and errors that say which account to use or which
 * access to grant.
 *
 * @example
 * ```ts
 * const api = createAnalyticsApi({ account, getAccessToken: () => manager.getAccessToken(account) });
 * const report = await api.runReport({ property: "123456789", metrics: ["activeUsers"], dimensions: ["date"] });
 * ```
 *
 * @packageDocumentation
 */
export {
  ANALYTICS_READONLY_SCOPE,
  type AnalyticsApi,
  type AnalyticsApiOptions,
  createAnalyticsApi,
  type QuotaStatus,
  type ReportRequest,
  type ReportResult,
} from "./report.js";
