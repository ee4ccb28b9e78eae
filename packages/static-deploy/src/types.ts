/** How serious a finding is. `error` fails a lint run; `warning` fails it only past `maxWarnings`. */
export type Severity = "error" | "warning";

/**
 * Rule ids of the template-brace lint. They are part of the public contract (scripts filter on
 * them, SARIF viewers group by them): a rule may be added, never renamed.
 */
export type LintRuleId =
  | "brace/unrendered-in-script"
  | "brace/in-script-string"
  | "brace/unrendered-in-markup"
  | "script/parse-error"
  | "json/parse-error";

/**
 * One problem found in one file. Positions are 1-based, in lines of the original file and
 * columns in UTF-16 code units (as editors, ESLint and SARIF count them); the end is exclusive.
 */
export interface LintFinding {
  /** The path as it was given or found (relative paths stay relative). */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  ruleId: LintRuleId;
  severity: Severity;
  message: string;
  /** The source line the finding starts on; very long (minified) lines are cut around it. */
  snippet: string;
}

/** Why a file was not linted. Each one is reported; none is silent. */
export type SkipReason = "binary" | "invalid-utf8" | "unreadable";

/** A file that was found but not linted, and why. */
export interface SkippedFile {
  file: string;
  reason: SkipReason;
  /** A sentence for the user, e.g. `invalid UTF-8 at line 3 (byte 118)`. */
  message: string;
}

/**
 * Where to look. A name limits the lint to regions between `<!-- jada:scope NAME -->` and
 * `<!-- /jada:scope NAME -->`; `#id` limits it to the element with that id.
 */
export type LintScope = string;

/** Options of {@link lintHtml}. */
export interface LintHtmlOptions {
  /** Shown in findings; defaults to `"<input>"`. */
  file?: string;
  /** Limit the lint to a marked region or an element (see {@link LintScope}). */
  scope?: LintScope;
}

/** What {@link lintHtml} found in one document. */
export interface HtmlLintResult {
  findings: LintFinding[];
  /** Whether the scope (if one was given) occurs in this document. */
  scopeFound: boolean;
}

/** One in-place replacement in a document, by UTF-16 offsets. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Result of {@link fixHtml} on one document. */
export interface HtmlFixResult {
  /** The fixed document (identical to the input when nothing was fixed or the fix was refused). */
  output: string;
  /** How many `brace/unrendered-in-script` occurrences were rewritten. */
  fixed: number;
  /**
   * Set when the fix was refused because a script it changed would still not parse; the
   * document is then left exactly as it was.
   */
  refused?: { line: number; column: number; message: string };
  scopeFound: boolean;
}

/** Options of {@link lintPaths}. */
export interface LintPathsOptions {
  /** File extensions to lint inside directories, with or without the dot. Default `html`, `htm`. */
  extensions?: readonly string[];
  /** Limit the lint to a marked region or an element; see {@link LintScope}. */
  scope?: LintScope;
  /** Rewrite `brace/unrendered-in-script` occurrences inside the scope (requires `scope`). */
  fix?: boolean;
  /** With `fix`: compute the fix and its diff, write nothing. */
  dryRun?: boolean;
  /** Directory that relative paths in diffs are shown against. Default `process.cwd()`. */
  cwd?: string;
  /** Called after each file is linted, for progress displays. */
  onFile?: (file: string, index: number, total: number) => void;
}

/** One file changed (or that would be changed) by `fix`. */
export interface FixedFile {
  file: string;
  occurrences: number;
  /** Unified diff of the change (always computed; shown for dry runs). */
  diff: string;
}

/** A file whose fix was refused because a changed script would still not parse. */
export interface RefusedFix {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** The outcome of a lint run over files and directories. */
export interface LintRunResult {
  /** How many files were scanned (skipped files are not counted). */
  files: number;
  findings: LintFinding[];
  errorCount: number;
  warningCount: number;
  skipped: SkippedFile[];
  /** Present when `fix` was asked for. */
  fix?: {
    dryRun: boolean;
    occurrences: number;
    files: FixedFile[];
    refused: RefusedFix[];
  };
}

// ---------------------------------------------------------------------------------------------
// Deploy: ports. The core calls these interfaces; adapters (`@jada/static-deploy/aws`) implement
// them over the AWS SDK, and tests point the real SDK clients at a loopback S3/CloudFront.

/** An object as a bucket listing shows it. */
export interface RemoteObject {
  key: string;
  size: number;
  /** The ETag without quotes. A plain MD5 for single-part, unencrypted (or SSE-S3) uploads. */
  etag: string;
  /** ISO 8601; any write to the object (a copy too) changes it. */
  lastModified?: string | undefined;
}

/** What a HEAD tells beyond the listing: the metadata that the deploy controls. */
export interface RemoteObjectDetails {
  contentType: string | undefined;
  cacheControl: string | undefined;
  /** The `md5` metadata key every jada upload writes (hex). */
  md5: string | undefined;
  /** As in a listing: the ETag without quotes, and LastModified as ISO 8601. */
  etag?: string | undefined;
  lastModified?: string | undefined;
}

/** The headers and metadata written with an object. */
export interface ObjectMetadata {
  contentType: string;
  cacheControl: string;
  /** Hex MD5 of the content, stored as `x-amz-meta-md5`. */
  md5: string;
}

/**
 * Port: a bucket of objects (S3). Keys are full keys, prefix included. Implementations retry
 * throttling and 5xx themselves (the AWS SDK client does, configured with `maxAttempts`).
 */
export interface ObjectStore {
  /** Every object under `prefix`, following pagination. */
  list(prefix: string): AsyncIterable<RemoteObject>;
  /** The object's metadata, or `undefined` when it does not exist. */
  head(key: string): Promise<RemoteObjectDetails | undefined>;
  /** Uploads a local file (multipart when large). */
  putFile(key: string, file: string, size: number, metadata: ObjectMetadata): Promise<void>;
  /** Writes a small text object (release records). */
  putText(key: string, text: string, contentType: string): Promise<void>;
  /** Reads a small text object, or `undefined` when it does not exist. */
  getText(key: string): Promise<string | undefined>;
  /** Server-side copy within the bucket, replacing the metadata. */
  copy(sourceKey: string, key: string, metadata: ObjectMetadata): Promise<void>;
  /** Deletes keys (batched by the implementation). */
  delete(keys: readonly string[]): Promise<void>;
}

/** The state of a CDN invalidation. */
export interface InvalidationStatus {
  id: string;
  /** As the CDN says it (`InProgress`, `Completed`; moto says `COMPLETED`). */
  status: string;
}

/** A distribution's origin path, with the version tag needed to change it safely. */
export interface OriginPathState {
  /** `""` or a path starting with `/`. */
  originPath: string;
  /** Opaque version (CloudFront's ETag), passed back as `If-Match`. */
  version: string;
}

/** Port: a CDN in front of the bucket (CloudFront). */
export interface Cdn {
  /** Starts an invalidation. `callerReference` makes a retried request idempotent. */
  invalidate(
    distributionId: string,
    paths: readonly string[],
    callerReference: string,
  ): Promise<InvalidationStatus>;
  getInvalidation(distributionId: string, invalidationId: string): Promise<InvalidationStatus>;
  /** The origin path of the distribution's (single, or first S3) origin. */
  getOriginPath(distributionId: string): Promise<OriginPathState>;
  /**
   * Changes the origin path, only if the distribution is still at `expectedVersion`.
   * @throws {StaticDeployError} `CONFLICT` when someone else changed it in between.
   */
  setOriginPath(
    distributionId: string,
    originPath: string,
    expectedVersion: string,
  ): Promise<OriginPathState>;
}
