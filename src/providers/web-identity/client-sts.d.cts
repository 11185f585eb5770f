import type { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";

/** What the web identity link needs of @aws-sdk/client-sts (see client-sts.cjs). */
declare const sdk: {
  STSClient: typeof STSClient;
  AssumeRoleWithWebIdentityCommand: typeof AssumeRoleWithWebIdentityCommand;
};
export = sdk;
