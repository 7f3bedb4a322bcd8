// What every console form handler reads: the urlencoded body (bounded), a text field, and who is
// acting (for the admin audit trail). Shared by the console's page routers.
import express, { type Request } from 'express';
import type { SessionUser } from '../../session-user.ts';

export const adminForm = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 50 });

export function formField(req: Request, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** `idp:nameId` of the signed-in admin. */
export function adminActor(req: Request): string {
  const user = req.user as SessionUser | undefined;
  return user === undefined ? 'unknown' : `${user.identity.idpId}:${user.identity.nameId}`;
}
