// Routes a parsed call to its action handler: STS answers unsigned (AssumeRoleWithSAML is the
// caller's first call), every Redshift call is SigV4-checked against the STS sessions first.
// The handlers live in sts.ts and redshift.ts; test controls and recording stay with the server.
import type { IncomingMessage } from 'node:http';
import {
  describeClusters,
  getClusterCredentials,
  getClusterCredentialsWithIam,
  getServerlessCredentials,
  getWorkgroup,
  type RedshiftContext,
} from './redshift.ts';
import type { ParsedCall } from './request.ts';
import { verifySigV4 } from './sigv4.ts';
import { assumeRoleWithSaml, type StsContext } from './sts.ts';
import { AwsFault } from './wire.ts';

export interface EmulatorActions {
  sts: StsContext;
  redshift: RedshiftContext;
}

export async function dispatch(
  call: ParsedCall,
  req: IncomingMessage,
  body: Buffer,
  actions: EmulatorActions,
): Promise<Record<string, unknown>> {
  if (call.service === 'sts') {
    if (call.action === 'AssumeRoleWithSAML') return assumeRoleWithSaml(call.params, actions.sts);
    throw new AwsFault('InvalidAction', `Could not find operation ${call.action} for version 2011-06-15`);
  }
  const { redshift } = actions;
  const dialect = call.service === 'redshift' ? 'query' : 'json';
  const signed = { method: req.method ?? 'POST', url: req.url ?? '/', rawHeaders: req.rawHeaders, body };
  const caller = verifySigV4(signed, call.service, dialect, actions.sts.sessions, actions.sts.now());
  switch (`${call.service}:${call.action}`) {
    case 'redshift:GetClusterCredentials':
      return getClusterCredentials(call.params, caller, redshift);
    case 'redshift:GetClusterCredentialsWithIAM':
      return getClusterCredentialsWithIam(call.params, caller, redshift);
    case 'redshift:DescribeClusters':
      return describeClusters(call.params, caller, redshift);
    case 'redshift-serverless:GetCredentials':
      return getServerlessCredentials(call.params, caller, redshift);
    case 'redshift-serverless:GetWorkgroup':
      return getWorkgroup(call.params, caller, redshift);
    default:
      throw dialect === 'query'
        ? new AwsFault('InvalidAction', `Could not find operation ${call.action} for version 2012-12-01`)
        : new AwsFault('UnknownOperationException', `Unknown operation ${call.action}`);
  }
}
