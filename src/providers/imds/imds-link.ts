import type { CredentialLink } from "../http-credentials/credential-link.js";

/** The IMDS link, as the shared credential-JSON checks report it: `source: "imds"`, `IMDS_BAD_RESPONSE`. */
export const IMDS_LINK: CredentialLink = Object.freeze({ source: "imds", name: "IMDS", badResponseCode: "IMDS_BAD_RESPONSE" });
