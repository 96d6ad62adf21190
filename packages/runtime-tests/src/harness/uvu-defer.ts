/**
 * Tells uvu not to start its own run: imported before anything that imports uvu, so that
 * {@link runQueuedSuites} drives the suites and can report their counts.
 *
 * uvu reads `UVU_DEFER` once, when it is first evaluated, which is why this is a module of its
 * own with nothing but this side effect.
 */
(globalThis as { UVU_DEFER?: number }).UVU_DEFER = 1;

export {};
