/** The AWS partitions the installed AWS SDK knows (its endpoints partition data). */
export function sdkPartitions(): { version: string; file: string; partitions: string[]; dnsSuffixes: Record<string, string> };
