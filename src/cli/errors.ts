// The CLI's one error type: a message that names the cause and the next step, and the exit code
// scripts rely on (1 usage or configuration, 2 server unreachable, 3 denied, expired or revoked).
export const EXIT = { ok: 0, usage: 1, unreachable: 2, denied: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** The server's stable code, when the server refused. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What an HTTP status from the service means for the exit code. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.denied;
  if (status >= 500 || status === 429) return EXIT.unreachable;
  return EXIT.usage;
}
