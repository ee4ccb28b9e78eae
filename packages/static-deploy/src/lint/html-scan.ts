import { Tokenizer, type TokenizerCallbacks } from "htmlparser2";
import { type ScriptKind, scriptKind } from "./script-kind.js";

/** A `<script>` element and where its text is. */
export interface ScriptBlock {
  kind: ScriptKind;
  /** The raw `type` attribute, for messages. */
  type: string | undefined;
  /** Offset of `<script`. */
  tagStart: number;
  contentStart: number;
  contentEnd: number;
}

/** A half-open range `[start, end)` of the document. */
export interface Range {
  start: number;
  end: number;
}

/** What the linter needs to know of a document's structure. */
export interface ScannedHtml {
  scripts: ScriptBlock[];
  /** Text nodes outside scripts and `<template>` elements (collected only when asked). */
  texts: Range[];
  /** Start tags (`<` to `>`), where attribute values are, outside `<template>` (when asked). */
  tags: Range[];
  /** Regions of the requested scope; empty when it does not occur. */
  scopeRanges: Range[];
  /** Offset of a `<!-- jada:scope NAME -->` with no closing marker, if any. */
  unclosedScopeAt: number | undefined;
}

/** Options of {@link scanHtml}. */
export interface ScanOptions {
  /** Record text nodes and start tags (only worth it when the document contains `{{`). */
  collectMarkup: boolean;
  /** A scope name (`booking`) or an element id (`#booking`). */
  scope?: string | undefined;
}

// Elements that never have content or an end tag.
const VOID_ELEMENTS = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "keygen",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);

// Start tags that close an open <p> (the HTML parser's most common implied end tag).
const CLOSES_P = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "details",
  "div",
  "dl",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "table",
  "ul",
]);

const SCOPE_MARKER = /^\s*(\/?)jada:scope\s+(\S+)\s*$/;

interface OpenElement {
  name: string;
  /** Offset of `<`, when this element is the requested `#id` scope. */
  scopeStart: number | undefined;
}

/**
 * Tokenizes an HTML document once (htmlparser2's tokenizer: a fast, forgiving state machine
 * that knows raw-text elements like `<script>`) and records the scripts, the markup that
 * users see, and the regions of a scope. It builds no tree: a light stack of open elements is
 * enough to find where an element with an id ends, including unclosed and misnested markup.
 */
export function scanHtml(source: string, options: ScanOptions): ScannedHtml {
  const scopeId = options.scope?.startsWith("#") ? options.scope.slice(1) : undefined;
  const scopeName =
    options.scope !== undefined && scopeId === undefined ? options.scope : undefined;

  const result: ScannedHtml = {
    scripts: [],
    texts: [],
    tags: [],
    scopeRanges: [],
    unclosedScopeAt: undefined,
  };
  const stack: OpenElement[] = [];
  const openMarkers: number[] = [];
  let templateDepth = 0;
  let foreignDepth = 0;

  // The start tag being read.
  let tagName = "";
  let tagStart = 0;
  let attributeName = "";
  let valueStart = -1;
  let valueEnd = -1;
  let typeAttribute: string | undefined;
  let languageAttribute: string | undefined;
  let idAttribute: string | undefined;
  let openScript: Omit<ScriptBlock, "contentEnd"> | undefined;

  const closeElement = (element: OpenElement, end: number): void => {
    if (element.name === "template") templateDepth--;
    if (element.name === "svg" || element.name === "math") foreignDepth--;
    if (element.scopeStart !== undefined)
      result.scopeRanges.push({ start: element.scopeStart, end });
  };

  const finishStartTag = (endIndex: number, selfClosing: boolean): void => {
    const end = endIndex + 1;
    if (options.collectMarkup && templateDepth === 0) result.tags.push({ start: tagStart, end });
    if (tagName === "script") {
      openScript = {
        kind: scriptKind(typeAttribute, languageAttribute),
        type: typeAttribute,
        tagStart,
        contentStart: end,
      };
      if (selfClosing) {
        result.scripts.push({ ...openScript, contentEnd: end });
        openScript = undefined;
      }
      return;
    }
    if (CLOSES_P.has(tagName) && stack[stack.length - 1]?.name === "p") {
      closeElement(stack.pop() as OpenElement, tagStart);
    }
    const scopeStart = scopeId !== undefined && idAttribute === scopeId ? tagStart : undefined;
    if (VOID_ELEMENTS.has(tagName) || (selfClosing && foreignDepth > 0)) {
      if (scopeStart !== undefined) result.scopeRanges.push({ start: scopeStart, end });
      return;
    }
    if (tagName === "template") templateDepth++;
    if (tagName === "svg" || tagName === "math") foreignDepth++;
    stack.push({ name: tagName, scopeStart });
  };

  const callbacks: TokenizerCallbacks = {
    onopentagname(start, endIndex) {
      tagName = source.slice(start, endIndex).toLowerCase();
      tagStart = start - 1;
      typeAttribute = undefined;
      languageAttribute = undefined;
      idAttribute = undefined;
    },
    onattribname(start, endIndex) {
      attributeName = source.slice(start, endIndex).toLowerCase();
      valueStart = -1;
    },
    onattribdata(start, endIndex) {
      if (valueStart === -1) valueStart = start;
      valueEnd = endIndex;
    },
    onattribentity() {},
    onattribend() {
      const value = valueStart === -1 ? "" : source.slice(valueStart, valueEnd);
      // The first occurrence of an attribute wins, as in browsers.
      if (attributeName === "type") typeAttribute ??= value;
      else if (attributeName === "language") languageAttribute ??= value;
      else if (attributeName === "id") idAttribute ??= value;
      valueStart = -1;
    },
    onopentagend(endIndex) {
      finishStartTag(endIndex, false);
    },
    onselfclosingtag(endIndex) {
      finishStartTag(endIndex, true);
    },
    onclosetag(start, endIndex) {
      const name = source.slice(start, endIndex).toLowerCase();
      const closeStart = start - 2;
      if (name === "script" && openScript !== undefined) {
        result.scripts.push({ ...openScript, contentEnd: closeStart });
        openScript = undefined;
        return;
      }
      const gt = source.indexOf(">", endIndex);
      const closeEnd = gt === -1 ? source.length : gt + 1;
      for (let depth = stack.length - 1; depth >= 0; depth--) {
        if ((stack[depth] as OpenElement).name !== name) continue;
        // Close the match and everything opened inside it (implied end tags).
        while (stack.length > depth + 1) closeElement(stack.pop() as OpenElement, closeStart);
        closeElement(stack.pop() as OpenElement, closeEnd);
        return;
      }
    },
    ontext(start, endIndex) {
      if (openScript !== undefined) return;
      if (options.collectMarkup && templateDepth === 0) result.texts.push({ start, end: endIndex });
    },
    ontextentity() {},
    oncomment(start, endIndex, endOffset) {
      if (scopeName === undefined) return;
      // The tokenizer reports `<!--` + data + `--` + `>`: data is [start, endIndex - endOffset).
      const marker = SCOPE_MARKER.exec(source.slice(start, endIndex - endOffset));
      if (marker === null || marker[2] !== scopeName) return;
      if (marker[1] === "") {
        openMarkers.push(start - 4);
      } else {
        const openedAt = openMarkers.pop();
        if (openedAt !== undefined) result.scopeRanges.push({ start: openedAt, end: endIndex + 1 });
      }
    },
    oncdata() {},
    ondeclaration() {},
    onprocessinginstruction() {},
    onend() {},
    isInForeignContext: () => foreignDepth > 0,
  };

  const tokenizer = new Tokenizer({ decodeEntities: false }, callbacks);
  tokenizer.write(source);
  tokenizer.end();

  if (openScript !== undefined) result.scripts.push({ ...openScript, contentEnd: source.length });
  while (stack.length > 0) closeElement(stack.pop() as OpenElement, source.length);
  result.unclosedScopeAt = openMarkers[0];
  result.scopeRanges.sort((a, b) => a.start - b.start);
  return result;
}
