/**
 * The few host functions core relies on, declared here because core compiles against the
 * ECMAScript library alone: no DOM and no Node types, so any other runtime-specific global is
 * a type error. Every JavaScript runtime we support provides these.
 */
declare global {
  function setInterval(callback: () => void, ms: number): unknown;
  function clearInterval(id: unknown): void;
  const console: { error(...data: unknown[]): void };
}

export {};
