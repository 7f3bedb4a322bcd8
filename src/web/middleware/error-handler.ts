// The one place errors become responses: logged once (warn when exposed, error when not), then an
// error page for browsers or `{ error: { code, message, requestId } }` for API clients. A 5xx
// never shows its cause; nothing here ever prints a stack trace to the client.
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { AppError, isAppError, type AppErrorOptions } from '../../errors.ts';
import type { Logger } from '../../logger.ts';

type Refusal = Pick<AppErrorOptions, 'code' | 'status' | 'publicMessage'>;

const NOT_FOUND: Refusal = { code: 'NOT_FOUND', status: 404, publicMessage: 'There is no page at this address.' };
const UNSUPPORTED_BODY: Refusal = {
  code: 'UNSUPPORTED_MEDIA_TYPE',
  status: 415,
  publicMessage: 'The request body uses a character set or encoding this service does not accept.',
};

/** body-parser's error types (`err.type`) and what we answer for each. */
const BODY_PARSER_ERRORS: ReadonlyMap<string, Refusal> = new Map<string, Refusal>([
  ['entity.too.large', { code: 'REQUEST_TOO_LARGE', status: 413, publicMessage: 'The request body is too large.' }],
  ['entity.parse.failed', { code: 'BAD_JSON', status: 400, publicMessage: 'The request body is not valid JSON.' }],
  [
    'parameters.too.many',
    { code: 'REQUEST_TOO_LARGE', status: 413, publicMessage: 'The request has too many form fields.' },
  ],
  ['charset.unsupported', UNSUPPORTED_BODY],
  ['encoding.unsupported', UNSUPPORTED_BODY],
]);

export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json';
}

export function notFoundHandler(): RequestHandler {
  return (_req, _res, next) => next(new AppError(NOT_FOUND));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const error = toAppError(err);
    const requestId = String(res.locals.requestId ?? '');
    const log = {
      requestId,
      code: error.code,
      status: error.status,
      method: req.method,
      path: req.path,
      details: error.details,
      cause: causeSummary(error),
    };
    if (error.expose) logger.warn(log, 'request refused');
    else
      logger.error(
        {
          ...log,
          err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
        },
        'request failed',
      );

    if (res.headersSent) {
      res.end();
      return;
    }
    const message = error.expose
      ? error.publicMessage
      : 'Something went wrong on our side. Quote the request ID if you contact support.';
    res.status(error.status).setHeader('Cache-Control', 'no-store');
    if (error.status === 429 && error.details.retryAfterSeconds !== undefined)
      res.setHeader('Retry-After', String(error.details.retryAfterSeconds));
    if (wantsJson(req)) {
      res.json({ error: { code: error.code, message, requestId } });
      return;
    }
    res.render(
      'error',
      { title: pageTitle(error.status), code: error.code, message, requestId, status: error.status },
      (renderErr, html) => {
        if (renderErr !== null && renderErr !== undefined) {
          logger.error({ requestId, err: renderErr.message }, 'error page failed to render');
          res.type('text/plain').send(`${error.code}: ${message}\nRequest ID: ${requestId}\n`);
          return;
        }
        res.send(html);
      },
    );
  };
}

function pageTitle(status: number): string {
  return status === 404 ? 'Page not found' : 'Sign-in problem';
}

/** Library errors that carry an HTTP status (body-parser, express) keep it; the rest are 500s. */
function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    type?: string;
    status?: number;
    expose?: boolean;
  };
  const known = e.type === undefined ? undefined : BODY_PARSER_ERRORS.get(e.type);
  if (known !== undefined) return new AppError({ ...known, cause: err });
  if (e.status === 404) return new AppError({ ...NOT_FOUND, cause: err });
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError({
      code: 'BAD_REQUEST',
      status: e.status,
      publicMessage: 'The request could not be read.',
      cause: err,
    });
  }
  return new AppError({ code: 'INTERNAL_ERROR', status: 500, publicMessage: 'Internal error', cause: err });
}

function causeSummary(error: AppError): string | undefined {
  const cause = error.cause;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`.slice(0, 300);
  return undefined;
}
