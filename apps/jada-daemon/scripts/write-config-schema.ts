// Writes jada.config.schema.json from the zod schema (run: npm run schema -w @jada/daemon).
// A test fails when the committed file differs from what this would write.
import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../src/config/schema.ts";

const target = new URL("../jada.config.schema.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
