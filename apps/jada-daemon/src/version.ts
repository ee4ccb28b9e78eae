import { readFileSync } from "node:fs";

/** The version of `@jada/daemon`, read from its package.json (next to `dist/` and `src/`). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
