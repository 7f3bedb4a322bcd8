// Wire formats the emulator speaks: awsQuery XML results and errors (STS, Redshift) and awsJson1_1
// (Redshift Serverless). Handlers throw AwsFault; the server turns it into the protocol's error shape.
import type { ServerResponse } from 'node:http';

export type Service = 'sts' | 'redshift' | 'redshift-serverless';

export const XML_NAMESPACES = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  redshift: 'http://redshift.amazonaws.com/doc/2012-12-01/',
} as const;

/** An AWS error as it goes on the wire: `code` is the awsQuery `<Code>` or the JSON `__type`. */
export class AwsFault extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'AwsFault';
    this.code = code;
    this.status = status;
  }
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A list whose members are named after the model's locationName (Redshift's `<Clusters><Cluster>`). */
export class XmlList {
  constructor(
    readonly memberName: string,
    readonly items: readonly unknown[],
  ) {}
}

/** Renders `{ A: 'x', B: { C: 1 } }` as `<A>x</A><B><C>1</C></B>`; plain arrays become `<member>` lists. */
export function toXml(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<${name}>${xmlValue(value)}</${name}>`)
    .join('');
}

function xmlValue(value: unknown): string {
  if (value instanceof XmlList)
    return value.items.map((item) => `<${value.memberName}>${xmlValue(item)}</${value.memberName}>`).join('');
  if (Array.isArray(value)) return value.map((item: unknown) => `<member>${xmlValue(item)}</member>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return toXml(value as Record<string, unknown>);
  return escapeXml(String(value));
}

export function sendQueryResult(
  res: ServerResponse,
  service: 'sts' | 'redshift',
  action: string,
  result: Record<string, unknown>,
  requestId: string,
): void {
  const body =
    `<${action}Response xmlns="${XML_NAMESPACES[service]}">` +
    `<${action}Result>${toXml(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${action}Response>`;
  send(res, 200, 'text/xml', body, requestId);
}

export function sendQueryError(
  res: ServerResponse,
  service: 'sts' | 'redshift',
  fault: AwsFault,
  requestId: string,
): void {
  // awsQuery errors: Type is Sender for client faults, Receiver for server faults.
  const type = fault.status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${XML_NAMESPACES[service]}">` +
    `<Error><Type>${type}</Type><Code>${escapeXml(fault.code)}</Code><Message>${escapeXml(fault.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId>` +
    `</ErrorResponse>`;
  send(res, fault.status, 'text/xml', body, requestId);
}

export function sendJsonResult(res: ServerResponse, result: Record<string, unknown>, requestId: string): void {
  send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(result), requestId);
}

export function sendJsonError(res: ServerResponse, fault: AwsFault, requestId: string): void {
  const body = JSON.stringify({ __type: fault.code, message: fault.message });
  send(res, fault.status, 'application/x-amz-json-1.1', body, requestId);
}

function send(res: ServerResponse, status: number, contentType: string, body: string, requestId: string): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    date: new Date().toUTCString(),
  });
  res.end(body);
}

/** awsJson timestamps are epoch seconds (fractions allowed). */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

/**
 * awsQuery flattens lists as `Name.member.N` or `Name.<locationName>.N` (Redshift's `DbGroups.DbGroup.N`);
 * this folds them back into arrays, ordered by N, and leaves scalar fields as strings.
 */
export function foldQueryParams(form: URLSearchParams): Record<string, string | string[]> {
  const scalars: Record<string, string | string[]> = {};
  const lists = new Map<string, { index: number; value: string }[]>();
  for (const [key, value] of form) {
    const match = /^([A-Za-z]+)\.[A-Za-z]+\.(\d+)$/.exec(key);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      const items = lists.get(match[1]) ?? [];
      items.push({ index: Number(match[2]), value });
      lists.set(match[1], items);
    } else {
      scalars[key] = value;
    }
  }
  for (const [name, items] of lists) scalars[name] = items.sort((a, b) => a.index - b.index).map((item) => item.value);
  return scalars;
}
