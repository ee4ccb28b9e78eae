import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    analytics: "src/analytics/index.ts",
    sheets: "src/sheets/index.ts",
    testing: "src/testing/index.ts",
  },
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node22",
  platform: "node",
});
