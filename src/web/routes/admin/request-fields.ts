// What every admin form handler reads from a request: a posted text field and who is acting.
import type { Request } from 'express';
import type { SessionUser } from '../../../credentials/sign-in.ts';

export function field(req: Request, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** The admin as the audit trail names them: `idp:nameId`. */
export function actorOf(req: Request): string {
  const user = req.user as SessionUser | undefined;
  return user === undefined ? 'unknown' : `${user.identity.idpId}:${user.identity.nameId}`;
}
