/** Answers every message at once: the bare postMessage round trip the bench compares with. */
const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<number>) => void) | null;
  postMessage(message: number): void;
};
scope.onmessage = (event) => scope.postMessage(event.data);
