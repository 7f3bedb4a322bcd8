// Which src/ folders may import which: the one table docs/architecture.md describes. A key is a
// folder or a file under src/; its list names what it may import besides its own folder and the
// SHARED modules. An entry is a folder (everything in it) or one file (e.g. a folder's ports).
// Moving a folder means editing its key and the lists that name it; a file under a folder missing
// here is refused until the folder gets its row.

/** Leaf modules every layer may use. */
export const SHARED = [
  'src/errors.ts',
  'src/error-catalogue.ts',
  'src/logger.ts',
  'src/metrics.ts',
  'src/project-root.ts',
];

const WIRING = [
  'src/admin',
  'src/audit',
  'src/aws',
  'src/cli-auth',
  'src/config',
  'src/connections',
  'src/credentials',
  'src/outbound',
  'src/saml',
  'src/setup-token',
  'src/sign-in',
  'src/store',
  'src/web',
];

export const LAYERS = {
  // Leaves: no other folder.
  'src/outbound': [],
  'src/config': [],
  'src/store': [],
  'src/aws': ['src/outbound'],
  // SAML: parse and check responses and metadata; stores only through their ports.
  'src/saml': ['src/config', 'src/outbound', 'src/store/ports.ts'],
  // The live IdP/cluster registry and metadata refresh, asked by every request.
  'src/connections': ['src/config', 'src/saml', 'src/store/ports.ts'],
  // Use cases: typed against the AWS and store ports, never the SDK or a database. A single file
  // named across folders is a type or a port the lower folder needs, never a cycle of modules.
  'src/credentials': [
    'src/config',
    'src/saml',
    'src/aws/ports.ts',
    'src/store/ports.ts',
    'src/audit/audit-trail.ts',
    'src/sign-in/session-user.ts',
    'src/setup-token/setup-session.ts',
  ],
  'src/sign-in': [
    'src/config',
    'src/saml',
    'src/credentials',
    'src/audit/audit-trail.ts',
    'src/aws/ports.ts',
    'src/store/ports.ts',
  ],
  'src/audit': [
    'src/config',
    'src/store/ports.ts',
    'src/sign-in/session-user.ts',
    'src/credentials/issue-db-login.ts',
    'src/connections/metadata-retry.ts',
  ],
  'src/setup-token': [
    'src/config',
    'src/store/ports.ts',
    'src/sign-in/session-user.ts',
    'src/sign-in/session-lifetime.ts',
  ],
  'src/cli-auth': ['src/config', 'src/audit', 'src/credentials', 'src/sign-in/session-user.ts', 'src/store/ports.ts'],
  'src/admin': [
    'src/config',
    'src/saml',
    'src/connections',
    'src/credentials',
    'src/audit',
    'src/setup-token',
    'src/sign-in/session-user.ts',
    'src/store/ports.ts',
  ],
  // HTTP: routes and middleware over the use cases.
  'src/web': [
    'src/config',
    'src/saml',
    'src/connections',
    'src/credentials',
    'src/sign-in',
    'src/audit',
    'src/cli-auth',
    'src/setup-token',
    'src/admin',
    'src/store/ports.ts',
  ],
  // The CLI is its own program: it shares only the shape of connection strings.
  'src/cli': ['src/credentials/connection-strings.ts'],
  // Demo IdP, AWS emulator and certificate tools: never imported by the service except in demo mode.
  'src/dev': ['src/config', 'src/start-app.ts', 'src/app.ts'],
  // The composition root wires every folder (its parts in src/wiring/); only main.ts starts demo
  // mode and the timers (src/background-jobs.ts).
  'src/wiring': [...WIRING, 'src/cluster-metrics.ts'],
  'src/background-jobs.ts': [...WIRING],
  'src/app.ts': [...WIRING, 'src/wiring', 'src/background-jobs.ts'],
  'src/start-app.ts': [...WIRING, 'src/app.ts', 'src/wiring'],
  'src/cluster.ts': [],
  // With server.workers > 1: the primary sums the workers' metrics registries.
  'src/cluster-metrics.ts': [],
  'src/main.ts': [
    ...WIRING,
    'src/app.ts',
    'src/start-app.ts',
    'src/cluster.ts',
    'src/cluster-metrics.ts',
    'src/dev/demo.ts',
  ],
  ...Object.fromEntries(SHARED.map((file) => [file, []])),
};
