/**
 * A hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014): a stamp is (wall
 * time in ms, counter, node id). It never goes backwards, stays close to the store's clock, and
 * moves past every stamp it receives, so a write made after seeing another write is stamped
 * higher than it even when the other writer's wall clock runs ahead.
 *
 * Stamps are strings that order as the clock does (fixed-width decimal fields, then the node
 * id), so SQLite and JavaScript compare them with plain string comparison.
 */

const WALL_DIGITS = 15;
const COUNTER_DIGITS = 10;

/** A decoded stamp. */
export interface Stamp {
  wall: number;
  counter: number;
  node: string;
}

export function encodeStamp(stamp: Stamp): string {
  return `${String(stamp.wall).padStart(WALL_DIGITS, '0')}.${String(stamp.counter).padStart(COUNTER_DIGITS, '0')}.${stamp.node}`;
}

/** Decodes a stamp already checked by the protocol (or written by this module). */
export function decodeStamp(text: string): Stamp {
  const [wall, counter, node] = text.split('.');
  return { wall: Number(wall), counter: Number(counter), node: node ?? '' };
}

/** A clock for one replica, reading the store's clock for physical time. */
export class HybridClock {
  readonly #node: string;
  readonly #now: () => number;
  #wall: number;
  #counter: number;

  /** `last` is the highest stamp this replica has issued or seen (persisted across restarts). */
  constructor(node: string, now: () => number, last: string | undefined) {
    this.#node = node;
    this.#now = now;
    const stamp = last === undefined ? { wall: 0, counter: 0 } : decodeStamp(last);
    this.#wall = stamp.wall;
    this.#counter = stamp.counter;
  }

  /**
   * A new stamp, higher than every stamp issued or received so far. `at` is when the write was
   * made, when known (default: now by the store's clock).
   */
  tick(at: number = this.#now()): string {
    const physical = Math.trunc(at);
    if (physical > this.#wall) {
      this.#wall = physical;
      this.#counter = 0;
    } else {
      this.#counter += 1;
    }
    return this.current();
  }

  /** Moves the clock past a received stamp. */
  receive(remote: string): void {
    const stamp = decodeStamp(remote);
    if (stamp.wall > this.#wall || (stamp.wall === this.#wall && stamp.counter > this.#counter)) {
      this.#wall = stamp.wall;
      this.#counter = stamp.counter;
    }
  }

  /** The latest stamp, to persist. */
  current(): string {
    return encodeStamp({ wall: this.#wall, counter: this.#counter, node: this.#node });
  }
}
