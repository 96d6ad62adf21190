/**
 * A short list of named checks for the examples, counted like tests.
 */
import { tail } from './child.js';
import type { Row } from './row.js';

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

  /** The runtimes-table row of these checks; `output` (the runtime's own) is shown when one failed. */
  row(runtime: string, version: string, what: string, started: number, output?: string): Row {
    const failed = this.failures.length > 0;
    return {
      runtime,
      version,
      what,
      status: failed ? 'failed' : 'passed',
      counts: this.counts(),
      durationMs: performance.now() - started,
      details: failed && output !== undefined ? [...this.failures, `output:\n${tail(output)}`] : this.failures,
    };
  }

  /**
   * A checker of HTTP calls to `base`: each call is one check of its status, and of its body
   * and `x-error-code` header when they are given.
   */
  http(base: URL, timeoutMs: number) {
    const call = async (method: string, path: string, body?: string) => {
      const response = await fetch(new URL(path, base), {
        method,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: response.status, code: response.headers.get('x-error-code'), text: await response.text() };
    };
    return (
      method: string,
      path: string,
      body: string | undefined,
      status: number,
      text?: string,
      code?: string,
    ): Promise<boolean> =>
      this.step(`${method} ${path} → ${status}${text === undefined ? '' : ` ${JSON.stringify(text)}`}`, async () => {
        const got = await call(method, path, body);
        const problems: string[] = [];
        if (got.status !== status) problems.push(`status ${got.status}`);
        if (text !== undefined && got.text !== text) {
          problems.push(`body ${JSON.stringify(got.text)}, expected ${JSON.stringify(text)}`);
        }
        if (code !== undefined && got.code !== code) problems.push(`x-error-code ${got.code}`);
        if (problems.length > 0) {
          throw new Error(`${problems.join('; ')} (${got.text.trim()})`);
        }
      });
  }
}
