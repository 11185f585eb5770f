// The AssumeRole link's cache is the shared STS credential cache (src/providers/sts), which the web
// identity link uses too; its public names are re-exported here, where the public API takes them.
export {
  createAssumeRoleCache,
  DEFAULT_ASSUME_ROLE_CACHE_MAX,
  SharedAssumeRoleCache,
  sharedAssumeRoleCache,
} from "../sts/sts-credential-cache.js";
export type { AssumeRoleCache, AssumeRoleCacheOptions, CacheOutcome, ResolveOptions } from "../sts/sts-credential-cache.js";
