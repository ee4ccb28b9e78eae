// Content-Type by extension, from `mime` (the types of the IANA registry and the common ones it
// lacks). Text types carry `charset=utf-8`: without it, browsers guess, and S3 serves
// `binary/octet-stream` for anything uploaded without a type.
import mime from "mime";

// What a browser reads as text: every text/*, JSON and XML (and their +json, +xml kinds),
// JavaScript, YAML and SVG.
const TEXT =
  /^(?:text\/|application\/(?:json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|yaml)$|image\/svg\+xml$)/;

/** The Content-Type for a file name (with `charset=utf-8` for text), `application/octet-stream` if unknown. */
export function contentTypeFor(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  // A dot file (`.htaccess`) has no extension; mime would read its name as one.
  const type = base.lastIndexOf(".") > 0 ? mime.getType(base) : null;
  if (type === null) return "application/octet-stream";
  return TEXT.test(type) ? `${type}; charset=utf-8` : type;
}
