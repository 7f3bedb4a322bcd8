// The one cookie client for tests that speak HTTP to a running service: fetch with a cookie jar,
// redirects left to the caller (as a test wants to see each hop), and optionally default headers
// and a per-request timeout (so a hang is reported, not waited out).
export interface CookieClientOptions {
  /** Sent with every request unless the call gives the same header. */
  headers?: Record<string, string>;
  /** Abort a request after this long (default: no limit). */
  timeoutMs?: number;
}

export class CookieClient {
  private readonly cookies = new Map<string, string>();
  constructor(
    readonly baseUrl: string,
    private readonly options: CookieClientOptions = {},
  ) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get size(): number {
    return this.cookies.size;
  }

  async request(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<Response> {
    const cookie: Record<string, string> = this.cookies.size > 0 ? { cookie: this.header() } : {};
    const headers: Record<string, string> = { ...cookie, ...this.options.headers, ...init.headers };
    const signal = this.options.timeoutMs === undefined ? undefined : AbortSignal.timeout(this.options.timeoutMs);
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      redirect: 'manual',
      headers,
      body: init.body,
      signal,
    });
    this.store(res);
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('GET', path, { headers });
  }
  /** A form post; `fields` is sent as is when it is a string (raw bytes tests), else URL-encoded. */
  postForm(
    path: string,
    fields: Record<string, string> | string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const body = typeof fields === 'string' ? fields : new URLSearchParams(fields).toString();
    return this.request('POST', path, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
  }
  postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const json = { 'content-type': 'application/json', accept: 'application/json' };
    return this.request('POST', path, { headers: { ...json, ...headers }, body: JSON.stringify(body) });
  }

  private store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
