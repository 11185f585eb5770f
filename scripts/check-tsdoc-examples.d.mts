/** The ```ts blocks of `@example` sections (and `@packageDocumentation` comments) in `text`. */
export function exampleBlocks(text: string): { line: number; code: string }[];
/** Type-checks every example block under `srcDir`; returns the exit code (0: all compile). */
export function checkExamples(options?: { srcDir?: string; outDir?: string; args?: string[] }): number;
