/**
 * Runs a program to its end with a bounded wait, collecting its output.
 */
import { spawn } from 'node:child_process';

export interface ChildResult {
  /** Exit code, or `null` if the program was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The program outlived `timeoutMs` and was killed. */
  timedOut: boolean;
  /** The program could not be started (missing binary, permissions). */
  spawnError?: Error;
}

/**
 * The environment of the runtimes and tools the host starts: the host's own, without Deno's
 * update check, colours or wrangler's telemetry in their output.
 */
export const QUIET_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  DENO_NO_UPDATE_CHECK: '1',
  NO_COLOR: '1',
  WRANGLER_SEND_METRICS: 'false',
};

interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** Starts `command args…`, waits for it to exit (killing it after `timeoutMs`), returns its output. */
export function runChild(command: string, args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    let spawnError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        durationMs: performance.now() - started,
        timedOut,
        ...(spawnError === undefined ? {} : { spawnError }),
      });
    });
  });
}

/** The last `lines` lines of a text, for failure reports. */
export function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** A program left running while the host does other things. */
interface RunningChild {
  readonly pid: number | undefined;
  /** Resolves once the program's stdout matches `pattern`; rejects if it exits or `timeoutMs` passes first. */
  until(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Sends `signal` and resolves once the program has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
  output(): string;
}

/** Starts `command args…` and returns at once. */
export function startChild(
  command: string,
  args: readonly string[],
  options: Omit<ChildOptions, 'timeoutMs'>,
): RunningChild {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.on('close', () => {
      exited = true;
      resolve();
    });
  });
  child.on('error', () => undefined);
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return {
    pid: child.pid,
    until(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        let settled = false;
        const finish = (problem?: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          child.stdout.off('data', check);
          if (problem === undefined) resolve();
          else reject(new Error(`${problem}\n${tail(stdout, 10)}\n${tail(stderr, 10)}`.trimEnd()));
        };
        const check = () => {
          if (pattern.test(stdout)) finish();
          else if (exited) finish(`exited before printing ${pattern}`);
        };
        const timer = setTimeout(() => finish(`did not print ${pattern} within ${timeoutMs} ms`), timeoutMs);
        child.stdout.on('data', check);
        void exit.then(check);
        check();
      });
    },
    async stop(signal) {
      if (!exited) child.kill(signal);
      await exit;
    },
    output: () => `${stdout}${stderr}`,
  };
}
