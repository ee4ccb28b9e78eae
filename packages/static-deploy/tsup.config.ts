import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    appsscript: "src/appsscript/index.ts",
    aws: "src/aws.ts",
    rules: "src/rules-entry.ts",
    testing: "src/testing/index.ts",
  },
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node22",
  platform: "node",
});
