/**
 * `@jada/google-token/testing`: a loopback Google (OAuth token and authorization endpoints,
 * tokeninfo, the Sheets API v4: spreadsheets of tabs, values get / batchUpdate / append / update /
 * clear, structure updates; GA4's Data API runReport) that speaks the real wire protocol and fails on demand
 * (`invalid_grant`, `invalid_rapt`, `invalid_client`, 429, 503, dropped connections), for tests
 * with the real google-auth-library and googleapis clients.
 *
 * @packageDocumentation
 */

export type { AnalyticsControls, FakeProperty } from "./analytics-fake.js";
export {
  type GoogleFake,
  type GoogleFakeOptions,
  type RefreshBehavior,
  startGoogleFake,
} from "./google-fake.js";
export {
  type FakeSpreadsheet,
  parseRange,
  type SheetsControls,
  type SheetsCounts,
} from "./sheets-fake.js";
