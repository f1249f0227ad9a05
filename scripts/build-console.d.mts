/** Types of scripts/build-console.mjs for the tests that call it. */
export declare const buildConsole: (options?: { force?: boolean }) => Promise<{ built: boolean; outDir: string; files?: { name: string; bytes: number }[] }>;
