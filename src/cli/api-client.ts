// The CLI's HTTP calls to the service. Network failures become exit 2 with the server's address;
// refusals keep the server's stable code and message (which already names the next step).
import { CliError, EXIT, exitCodeForStatus } from './errors.ts';

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  token?: string;
  /** Answer OAuth-shaped refusals to the caller instead of throwing (the token endpoint). */
  acceptErrors?: boolean;
}

export async function callService<T>(
  server: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiAnswer<T>> {
  let res: Response;
  try {
    res = await fetch(new URL(path, server), {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers: {
        accept: 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new CliError(
      `Cannot reach ${server} (${reason}). Check the address and your network or VPN.`,
      EXIT.unreachable,
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new CliError(
      `${server} answered ${res.status} with something that is not JSON: is it a redshift-sso server?`,
      EXIT.unreachable,
    );
  }
  if (res.ok || options.acceptErrors === true) return { status: res.status, body: body as T };
  const error = (body as { error?: { code?: string; message?: string } }).error;
  const code = error?.code ?? `HTTP_${res.status}`;
  throw new CliError(
    `${error?.message ?? `The server answered ${res.status}.`} (${code})`,
    exitCodeForStatus(res.status),
    code,
  );
}
