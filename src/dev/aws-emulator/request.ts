// Reading an emulator request off the wire: the body (bounded) and which service and action it
// names, with its parameters. Routing the call to an action is dispatch.ts's job.
import type { IncomingMessage } from 'node:http';
import { AwsFault, foldQueryParams, type Service } from './wire.ts';

export interface ParsedCall {
  service: Service;
  action: string;
  params: Record<string, unknown>;
}

// A base64 SAMLAssertion may be 100,000 characters and grows when form-encoded.
const MAX_BODY_BYTES = 512 * 1024;

/** awsJson calls name their operation in X-Amz-Target; awsQuery calls in the form's Action field. */
export function parseCall(req: IncomingMessage, body: Buffer): ParsedCall {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('RedshiftServerless.')) {
    const action = target.slice('RedshiftServerless.'.length);
    let params: unknown;
    try {
      params = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw new AwsFault('SerializationException', 'Request body is not valid JSON');
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new AwsFault('SerializationException', 'Request body must be a JSON object');
    }
    return { service: 'redshift-serverless', action, params: params as Record<string, unknown> };
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const action = form.get('Action') ?? '';
  const version = form.get('Version');
  const service = action === 'AssumeRoleWithSAML' || version === '2011-06-15' ? 'sts' : 'redshift';
  if (!action) throw new AwsFault('MissingAction', 'Missing Action');
  return { service, action, params: foldQueryParams(form) };
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining past the limit so the error response can still be read by the client.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new AwsFault('RequestEntityTooLarge', 'Request body is too large', 413));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
