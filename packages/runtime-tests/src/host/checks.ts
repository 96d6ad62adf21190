/**
 * A short list of named checks for the examples, counted like tests.
 */

export class Checks {
  readonly failures: string[] = [];
  passed = 0;

  get total(): number {
    return this.passed + this.failures.length;
  }

  /** Records one check; `detail` says what was seen when it fails. */
  ok(name: string, condition: boolean, detail = ''): boolean {
    if (condition) this.passed += 1;
    else this.failures.push(`${name}${detail === '' ? '' : `: ${detail}`}`);
    return condition;
  }

  /** Runs a check that fails by throwing. */
  async step(name: string, body: () => Promise<void>): Promise<boolean> {
    try {
      await body();
      return this.ok(name, true);
    } catch (error) {
      return this.ok(name, false, error instanceof Error ? error.message : String(error));
    }
  }

  counts(): { total: number; passed: number; failed: number; skipped: number } {
    return { total: this.total, passed: this.passed, failed: this.failures.length, skipped: 0 };
  }
}
