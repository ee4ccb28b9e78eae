/**
 * Compiles a glob over `/`-separated paths to a RegExp: `**` any number of segments, `*` any
 * characters but `/`, `?` one such character, `{a,b}` alternatives. A pattern without a `/`
 * matches the base name anywhere (`*.html`), as in `.gitignore`.
 */
export function globToRegExp(glob: string): RegExp {
  const anchored = glob.includes("/");
  const pattern = glob.replace(/^\//, "");
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        const slash = pattern[i + 2] === "/";
        out += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else {
        out += "[^/]*";
      }
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "{") {
      const close = pattern.indexOf("}", i);
      if (close === -1) {
        out += "\\{";
      } else {
        out += `(?:${pattern
          .slice(i + 1, close)
          .split(",")
          .map((part) => part.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*"))
          .join("|")})`;
        i = close;
      }
    } else {
      out += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(anchored ? `^${out}$` : `(?:^|/)${out}$`);
}
