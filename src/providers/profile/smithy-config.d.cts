import type { externalDataInterceptor, loadSharedConfigFiles } from "@smithy/core/config";

/** What the profile link needs of @smithy/core/config (see smithy-config.cjs). */
declare const config: {
  loadSharedConfigFiles: typeof loadSharedConfigFiles;
  externalDataInterceptor: typeof externalDataInterceptor;
};
export = config;
