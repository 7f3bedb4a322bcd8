// Runs the `redshift-sso` CLI the way a person does (`bin/redshift-sso.mjs`, a child process with
// its own HOME and XDG config dir), either to completion or live, reading its stderr as it goes.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_BIN = fileURLToPath(new URL('../../bin/redshift-sso.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface LiveCli {
  child: ChildProcess;
  /** Resolves with the first match of `pattern` in stderr (rejects if the CLI exits first). */
  waitForStderr(pattern: RegExp): Promise<RegExpExecArray>;
  done: Promise<CliResult>;
}

export function startCli(args: string[], env: Record<string, string>): LiveCli {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of waiters) w();
  });
  const done = new Promise<CliResult>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    done,
    waitForStderr: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(stderr);
          if (m !== null) resolve(m);
        };
        waiters.push(check);
        check();
        void done.then((r) => reject(new Error(`the CLI exited (${r.code}) before printing ${pattern}:\n${r.stderr}`)));
      }),
  };
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return startCli(args, env).done;
}
