// The JSON API described as OpenAPI 3.1, served at /api/openapi.json. Written by hand beside the
// routes it describes (api.ts, cli-api.ts); test/integration/cli-api.test.ts checks it against them.
import type { ErrorCode } from '../error-catalogue.ts';
import { CONNECTION_FORMATS } from '../credentials/connection-strings.ts';

const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' } },
    },
  },
};

const oauthError = {
  type: 'object',
  required: ['error', 'code'],
  properties: {
    error: {
      type: 'string',
      enum: [
        'invalid_request',
        'invalid_grant',
        'authorization_pending',
        'slow_down',
        'access_denied',
        'expired_token',
        'unsupported_grant_type',
      ],
    },
    error_description: { type: 'string' },
    code: { type: 'string', description: 'stable redshift-sso code, e.g. CLI_CODE_EXPIRED, PKCE_VERIFIER_MISMATCH' },
    requestId: { type: 'string' },
  },
};

const json = (schema: unknown) => ({ 'application/json': { schema } });
// Typed by the catalogue, so a refusal documented here is one the service can answer with.
const refused = (...codes: ErrorCode[]) => ({
  description: codes.join(', '),
  content: json({ $ref: '#/components/schemas/Error' }),
});

export function openApiDocument(baseUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'redshift-sso',
      version: '1',
      description: 'Short-lived Amazon Redshift logins after a SAML sign-in, for scripts and SQL clients.',
    },
    servers: [{ url: baseUrl }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A CLI token (`redshift-sso login`). No cookie or CSRF token needed.',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'redshift-sso',
          description: 'The browser session; JSON bodies only, same origin.',
        },
      },
      schemas: {
        Error: error,
        OAuthError: oauthError,
        Credentials: {
          type: 'object',
          required: ['dbUser', 'dbPassword', 'expiration', 'host', 'port', 'database', 'sslMode', 'connectionStrings'],
          properties: {
            dbUser: { type: 'string' },
            dbPassword: { type: 'string' },
            expiration: { type: 'string', format: 'date-time' },
            host: { type: 'string' },
            port: { type: 'integer' },
            database: { type: 'string' },
            sslMode: { type: 'string', enum: ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] },
            sslRootCert: {
              type: ['string', 'null'],
              description: 'what the strings name as sslrootcert: a CA file path, `system` (libpq 16+), or null',
            },
            caBundleUrl: {
              type: ['string', 'null'],
              description: "the cluster's CA bundle, when the admin configured one",
            },
            connectionStrings: {
              type: 'object',
              required: [...CONNECTION_FORMATS],
              properties: Object.fromEntries(CONNECTION_FORMATS.map((f) => [f, { type: 'string' }])),
            },
          },
        },
        Token: {
          type: 'object',
          required: ['access_token', 'token_type', 'expires_in', 'expires_at', 'token_id'],
          properties: {
            access_token: { type: 'string' },
            token_type: { const: 'Bearer' },
            expires_in: { type: 'integer' },
            expires_at: { type: 'string', format: 'date-time' },
            token_id: { type: 'string' },
          },
        },
      },
    },
    paths: {
      '/api/me': {
        get: {
          summary: 'The signed-in identity: idp, nameId, roles (with their clusters), dbUser, dbGroups, admin',
          security: [{ bearer: [] }, { session: [] }],
          responses: {
            200: { description: 'who you are', content: json({ type: 'object' }) },
            401: refused('NOT_SIGNED_IN', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'TOKEN_EXPIRED', 'IDP_DISABLED'),
          },
        },
      },
      '/api/credentials': {
        post: {
          summary: 'Issue a database login for a cluster',
          security: [{ bearer: [] }, { session: [] }],
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['cluster'],
              properties: {
                cluster: { type: 'string' },
                role: { type: 'string' },
                caFile: {
                  type: 'string',
                  description: "absolute path of the cluster's CA bundle on the client, named as sslrootcert",
                },
              },
            }),
          },
          responses: {
            200: { description: 'the login', content: json({ $ref: '#/components/schemas/Credentials' }) },
            400: refused('BAD_REQUEST', 'BAD_JSON', 'ROLE_REQUIRED'),
            401: refused(
              'NOT_SIGNED_IN',
              'TOKEN_INVALID',
              'TOKEN_REVOKED',
              'TOKEN_EXPIRED',
              'AWS_SESSION_EXPIRED',
              'IDP_DISABLED',
            ),
            403: refused('ROLE_NOT_GRANTED', 'ROLE_NOT_PERMITTED', 'AWS_ACCESS_DENIED'),
            415: refused('UNSUPPORTED_MEDIA_TYPE'),
            429: refused('RATE_LIMITED'),
          },
        },
      },
      '/api/cli/device': {
        post: {
          summary: 'Start a device sign-in (RFC 8628 §3.1-3.2)',
          requestBody: {
            content: json({
              type: 'object',
              properties: { client_id: { type: 'string' }, client_name: { type: 'string' } },
            }),
          },
          responses: {
            200: {
              description: 'codes to show the person',
              content: json({
                type: 'object',
                properties: {
                  device_code: { type: 'string' },
                  user_code: { type: 'string' },
                  verification_uri: { type: 'string' },
                  verification_uri_complete: { type: 'string' },
                  expires_in: { type: 'integer' },
                  interval: { type: 'integer' },
                },
              }),
            },
          },
        },
      },
      '/api/cli/token': {
        post: {
          summary:
            'Redeem a one-time code (with PKCE verifier, redirect URI and state) or poll a device code for a token',
          requestBody: {
            content: json({
              type: 'object',
              required: ['grant_type'],
              properties: {
                grant_type: { enum: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'] },
                code: { type: 'string' },
                code_verifier: { type: 'string' },
                redirect_uri: { type: 'string' },
                state: { type: 'string' },
                device_code: { type: 'string' },
              },
            }),
          },
          responses: {
            200: { description: 'the token', content: json({ $ref: '#/components/schemas/Token' }) },
            400: {
              description: 'refused or not yet (authorization_pending, slow_down, expired_token, invalid_grant)',
              content: json({ $ref: '#/components/schemas/OAuthError' }),
            },
            403: {
              description: 'access_denied: the person denied the sign-in',
              content: json({ $ref: '#/components/schemas/OAuthError' }),
            },
          },
        },
      },
      '/api/cli/revoke': {
        post: {
          summary: 'Revoke a token (RFC 7009: the same answer for unknown tokens)',
          requestBody: {
            content: json({ type: 'object', required: ['token'], properties: { token: { type: 'string' } } }),
          },
          responses: {
            200: {
              description: 'revoked',
              content: json({ type: 'object', properties: { revoked: { const: true } } }),
            },
          },
        },
      },
      '/ca/{cluster}.pem': {
        get: {
          summary: "The cluster's CA bundle (PEM), when the admin configured one",
          parameters: [{ name: 'cluster', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: { description: 'PEM', content: { 'application/x-pem-file': { schema: { type: 'string' } } } },
            404: refused('CA_BUNDLE_NOT_FOUND'),
          },
        },
      },
    },
  };
}
