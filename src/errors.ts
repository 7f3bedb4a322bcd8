// The service's error model: every refusal carries a stable code, an HTTP status and a public
// message; `details` and `cause` are for logs only. Modules that call libraries convert their
// errors into these, so the error handler never has to guess. Codes come from error-catalogue.ts.
import type { ErrorCode } from './error-catalogue.ts';

export type { ErrorCode } from './error-catalogue.ts';

export interface AppErrorOptions {
  code: ErrorCode;
  status?: number;
  publicMessage: string;
  /** Whether publicMessage may be shown to the client; defaults to status < 500. */
  expose?: boolean;
  cause?: unknown;
  /** Extra fields for the log line. Never put secrets here. */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly publicMessage: string;
  readonly details: Record<string, unknown>;

  constructor(options: AppErrorOptions) {
    super(options.publicMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
    this.publicMessage = options.publicMessage;
    this.details = options.details ?? {};
  }
}

type KindOptions = Omit<AppErrorOptions, 'status'>;

export class ConfigError extends AppError {
  /** Each entry is `path: problem`. */
  readonly problems: string[];
  constructor(problems: string[], cause?: unknown) {
    super({
      code: 'CONFIG_INVALID',
      status: 500,
      publicMessage: `invalid configuration:\n  ${problems.join('\n  ')}`,
      cause,
    });
    this.problems = problems;
  }
}

/** A kind of AppError that always answers with `status`. */
function withStatus(status: number) {
  return class extends AppError {
    constructor(options: KindOptions) {
      super({ ...options, status });
    }
  };
}

export class BadRequest extends withStatus(400) {}
export class Unauthorized extends withStatus(401) {}
export class NotFound extends withStatus(404) {}
export class Forbidden extends withStatus(403) {}
export class RoleNotPermitted extends withStatus(403) {}
export class AwsAccessDenied extends withStatus(403) {}
export class TooManyRequests extends withStatus(429) {}

/** A SAML response we refuse. Always 401-class: the sign-in did not happen. */
export class AssertionRejected extends AppError {
  constructor(options: KindOptions & { status?: number }) {
    super({ ...options, status: options.status ?? 401 });
  }
}

export class UpstreamUnavailable extends AppError {
  constructor(options: KindOptions) {
    // expose: the message is ours ("try again"), never the upstream's body.
    super({ ...options, status: 502, expose: true });
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
