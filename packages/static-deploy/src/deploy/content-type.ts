// Content-Type by extension. Text types carry `charset=utf-8`: without it, browsers guess, and
// S3 serves `binary/octet-stream` for anything uploaded without a type.
const TYPES: Record<string, string> = {
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  mjs: "text/javascript",
  cjs: "text/javascript",
  json: "application/json",
  map: "application/json",
  webmanifest: "application/manifest+json",
  xml: "application/xml",
  rss: "application/rss+xml",
  atom: "application/atom+xml",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  ics: "text/calendar",
  vtt: "text/vtt",
  yaml: "application/yaml",
  yml: "application/yaml",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/vnd.microsoft.icon",
  bmp: "image/bmp",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
  eot: "application/vnd.ms-fontobject",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  wasm: "application/wasm",
  mp4: "video/mp4",
  webm: "video/webm",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  wav: "audio/wav",
};

const TEXT =
  /^(text\/|application\/(json|manifest\+json|xml|rss\+xml|atom\+xml|yaml)$|image\/svg\+xml$)/;

/** The Content-Type for a file name (with `charset=utf-8` for text), `application/octet-stream` if unknown. */
export function contentTypeFor(name: string): string {
  const dot = name.lastIndexOf(".");
  const slash = name.lastIndexOf("/");
  const type = dot > slash + 1 ? TYPES[name.slice(dot + 1).toLowerCase()] : undefined;
  if (type === undefined) return "application/octet-stream";
  return TEXT.test(type) ? `${type}; charset=utf-8` : type;
}
