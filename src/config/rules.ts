// Rules that relate several configuration fields. They read the raw input defensively instead of
// living in zod refinements, because zod skips refinements as soon as any field has the wrong
// type, and an operator should see every problem of a file at once.

type Raw = Record<string, unknown>;

const asRecord = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function crossFieldProblems(input: unknown): string[] {
  const root = asRecord(input);
  const production = (root.mode ?? 'production') === 'production';
  const problems: string[] = [];

  asList(root.idps).forEach((raw, i) => {
    const idp = asRecord(raw);
    const sources = ['metadataFile', 'metadataXml', 'metadataUrl'].filter((k) => idp[k] !== undefined).length;
    if (sources > 1) problems.push(`idps[${i}]: give only one of metadataFile, metadataXml, metadataUrl`);
    if (sources === 0) {
      if (idp.entityId === undefined) problems.push(`idps[${i}].entityId: required when no metadata is given`);
      if (idp.ssoUrl === undefined) problems.push(`idps[${i}].ssoUrl: required when no metadata is given`);
      if (asList(idp.certs).length === 0) problems.push(`idps[${i}].certs: expected at least one certificate`);
    }
  });

  asList(root.clusters).forEach((raw, i) => {
    const cluster = asRecord(raw);
    const type = cluster.type ?? 'provisioned';
    if (type === 'provisioned' && cluster.clusterIdentifier === undefined && cluster.customDomainName === undefined) {
      problems.push(`clusters[${i}].clusterIdentifier: required for a provisioned cluster (or customDomainName)`);
    }
    if (type === 'serverless' && cluster.workgroup === undefined)
      problems.push(`clusters[${i}].workgroup: required for a serverless cluster`);
    if (type !== 'serverless' && cluster.workgroupId !== undefined)
      problems.push(`clusters[${i}].workgroupId: only for serverless workgroups`);
    if (type === 'serverless' && cluster.credentialsApi === 'GetClusterCredentialsWithIAM')
      problems.push(`clusters[${i}].credentialsApi: serverless workgroups always use GetCredentials`);
    if (production && typeof cluster.durationSeconds === 'number' && cluster.durationSeconds < 900)
      problems.push(`clusters[${i}].durationSeconds: AWS accepts 900-3600`);
  });

  for (const section of ['idps', 'clusters'] as const) {
    const seen = new Set<unknown>();
    asList(root[section]).forEach((raw, i) => {
      const id = asRecord(raw).id;
      if (typeof id !== 'string') return;
      if (seen.has(id)) problems.push(`${section}[${i}].id: duplicate id "${id}"`);
      seen.add(id);
    });
  }

  const server = asRecord(root.server);
  const trustsNoProxy = server.trustProxy === undefined || server.trustProxy === false || server.trustProxy === 0;
  if (typeof server.baseUrl === 'string' && /^https:/i.test(server.baseUrl) && trustsNoProxy) {
    problems.push(
      'server.trustProxy: server.baseUrl is https, so a TLS proxy sits in front, but server.trustProxy is false: requests would look like plain http and no sign-in would get its Secure cookie. ' +
        'Set server.trustProxy to that proxy (a hop count like 1, or its addresses like "10.0.0.0/8" or "loopback"; see docs/operations.md, "Which proxies to trust")',
    );
  }
  if (production && asRecord(root.aws).endpoint !== undefined)
    problems.push('aws.endpoint: development only; use AWS_ENDPOINT_URL_* in production');
  const sp = asRecord(root.sp);
  if ((sp.signingKey === undefined) !== (sp.signingCert === undefined))
    problems.push('sp.signingCert: signingKey and signingCert go together');
  if (sp.decryptionKey !== undefined && sp.decryptionCert === undefined)
    problems.push('sp.decryptionCert: required with sp.decryptionKey (it is published in the SP metadata)');
  return problems;
}
