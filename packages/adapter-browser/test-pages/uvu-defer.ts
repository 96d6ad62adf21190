/**
 * Imported before uvu: with UVU_DEFER set, uvu queues suites without running them, so the page
 * runs them itself and reports the counts (see suites.ts).
 */
const host = globalThis as { UVU_DEFER?: number; UVU_QUEUE?: unknown[][] };
host.UVU_DEFER = 1;
host.UVU_QUEUE = [];

export {};
