/** A partition's data in the SDK's endpoints partition file. */
export interface SdkPartitionInfo {
  outputs: { dnsSuffix: string; dualStackDnsSuffix: string; implicitGlobalRegion: string; [key: string]: unknown };
}
/** The AWS partitions the installed AWS SDK knows (its endpoints partition data). */
export function sdkPartitions(): { version: string; file: string; partitions: string[]; info: Record<string, SdkPartitionInfo> };
