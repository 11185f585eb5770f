import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["dist/**", "docs-html/**", "node_modules/**", "coverage/**", "bench/**/*.mjs", "scripts/**/*.mjs", ".demo-build/**", ".examples-build/**", ".tsdoc-examples/**", ".dist-build-*/**"] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["eslint.config.js", "rolldown.config.mjs"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "@typescript-eslint/no-confusing-void-expression": "off",
      // Public entry points validate their options at run time, because JavaScript callers and
      // YAML/JSON configs do not go through the type checker; this rule calls those checks dead.
      "@typescript-eslint/no-unnecessary-condition": "off",
      // Providers are async so that a synchronous throw becomes a rejection, as callers expect.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // The CommonJS shims beside the lazy loads (see src/providers/web-identity/client-sts.cjs):
    // plain JavaScript, typed by their .d.cts files, outside the TypeScript project.
    files: ["src/**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable" } },
    rules: { "@typescript-eslint/no-require-imports": "off" }, // a require() is their point
  },
  {
    files: ["test/**/*.ts", "examples/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/unbound-method": "off",
    },
  },
);
