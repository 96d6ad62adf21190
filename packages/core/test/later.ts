/** Runs `fn` on a later turn of the event loop: its result (or throw) as a Promise, as an asynchronous driver answers. */
export function later<T>(fn: () => T | Promise<T>): Promise<T> {
  return new Promise((resolve, reject) =>
    setImmediate(() => {
      try {
        resolve(fn());
      } catch (error) {
        reject(error);
      }
    }),
  );
}
