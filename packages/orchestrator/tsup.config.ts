import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    models: "src/models.ts",
    sqlite: "src/sqlite/index.ts",
    postgres: "src/postgres/index.ts",
    testing: "src/testing/index.ts",
  },
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node22",
  platform: "node",
  // The contract suite runs inside the user's vitest.
  external: ["vitest"],
});
