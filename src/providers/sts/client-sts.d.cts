import type { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, DecodeAuthorizationMessageCommand, STSClient } from "@aws-sdk/client-sts";

/** What the STS calls need of @aws-sdk/client-sts (see client-sts.cjs). */
declare const sdk: {
  STSClient: typeof STSClient;
  AssumeRoleCommand: typeof AssumeRoleCommand;
  AssumeRoleWithWebIdentityCommand: typeof AssumeRoleWithWebIdentityCommand;
  DecodeAuthorizationMessageCommand: typeof DecodeAuthorizationMessageCommand;
};
export = sdk;
