/** Stands in for @go-store/test-suite until its build exists (see test/bundle.ts). */
export const runConformance: undefined | ((name: string, open: unknown) => void) = undefined;
