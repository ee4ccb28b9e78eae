/**
 * What a `<script>` element holds, decided from its `type` (and legacy `language`) attribute
 * the way the HTML standard decides whether and how to run it.
 *
 * - `classic` / `module`: JavaScript the browser runs; checked for braces and parsed.
 * - `json`: data blocks that must be JSON (`application/ld+json`, `application/json`,
 *   `importmap`, `speculationrules`).
 * - `inert`: anything else (`text/template`, `text/x-handlebars-template`, unknown types):
 *   templates by design, never scanned.
 */
export type ScriptKind = "classic" | "module" | "json" | "inert";

// The JavaScript MIME type essences of the HTML standard.
const JAVASCRIPT_TYPES = new Set([
  "application/ecmascript",
  "application/javascript",
  "application/x-ecmascript",
  "application/x-javascript",
  "text/ecmascript",
  "text/javascript",
  "text/javascript1.0",
  "text/javascript1.1",
  "text/javascript1.2",
  "text/javascript1.3",
  "text/javascript1.4",
  "text/javascript1.5",
  "text/jscript",
  "text/livescript",
  "text/x-ecmascript",
  "text/x-javascript",
]);

const JSON_TYPES = new Set([
  "application/ld+json",
  "application/json",
  "importmap",
  "speculationrules",
]);

/**
 * Classifies a script element by its raw `type` and `language` attribute values (`undefined`
 * when the attribute is absent).
 */
export function scriptKind(type: string | undefined, language: string | undefined): ScriptKind {
  if (type === undefined) {
    // No type: `language` still counts, as "text/" + language, when present and non-empty.
    if (language === undefined || language.trim() === "") return "classic";
    return kindOfType(`text/${language}`);
  }
  if (type.trim() === "") return "classic";
  return kindOfType(type);
}

function kindOfType(raw: string): ScriptKind {
  const type = raw.trim().toLowerCase();
  if (type === "module") return "module";
  if (JAVASCRIPT_TYPES.has(type)) return "classic";
  if (JSON_TYPES.has(type)) return "json";
  return "inert";
}
