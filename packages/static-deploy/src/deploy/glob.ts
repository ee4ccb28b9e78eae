import picomatch from "picomatch";

/**
 * Compiles a glob over `/`-separated paths (picomatch: `**`, `*`, `?`, `{a,b}`, `[a-z]`
 * classes, `!` negation, extglobs) to a matcher. A pattern without a `/` matches the base name
 * anywhere (`*.html`), as in `.gitignore`; a leading `/` anchors it at the site's root.
 */
export function globMatcher(glob: string): (path: string) => boolean {
  const anchored = glob.replace(/^!/, "").includes("/");
  const pattern = glob.replace(/^(!?)\//, "$1");
  return picomatch(pattern, { dot: true, basename: !anchored });
}
