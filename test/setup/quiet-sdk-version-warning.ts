// The AWS SDK clients the tests build warn once per worker that future SDK releases need Node 22;
// on Node 20 that is the same dozen lines in every run, hiding what matters. The CLI drops it the
// same way (and test/cli/main.test.ts checks that it does).
import { quietSdkVersionWarning } from "../../src/cli/quiet-sdk-version-warning.js";

quietSdkVersionWarning();
