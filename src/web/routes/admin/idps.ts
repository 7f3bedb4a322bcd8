// The console's IdP connection pages: add one (preview, then save), see one, change its settings,
// roll its certificates over, remove it. Mounted behind the admin check in admin.ts. A form the
// schema refuses comes back with each problem beside its field, a summary at the top, and
// everything the admin typed; a saved change applies from the next request on every instance
// (the connection registry reloads when the store's change counter moves).
import express, { Router, type Request, type Response } from 'express';
import { isAppError } from '../../../errors.ts';
import type { IdpAdmin, IdpDraft } from '../../../admin/idp-admin.ts';
import { IdpInvalid, type FieldProblem } from '../../../admin/idp-entry.ts';
import type { ConnectionRegistry } from '../../../connections/connection-registry.ts';
import { describeCertificate, EXPIRY_WARNING_DAYS } from '../../../admin/certificate-info.ts';
import { isSetupSession } from '../../../setup-token/setup-session.ts';
import { requireCsrfToken } from '../../middleware/csrf.ts';
import { asyncHandler } from '../../async-handler.ts';
import { signOut } from '../../sign-out.ts';
import { actorOf, field } from './request-fields.ts';
import {
  ATTRIBUTE_FIELDS,
  SETTING_FIELDS,
  defaultFlags,
  entryValues,
  formErrors,
  postedValues,
  settingsOf,
  type FormErrors,
} from './idp-form.ts';

export interface IdpRouteDeps {
  idps: IdpAdmin;
  registry: ConnectionRegistry;
  acsUrl: (idpId: string) => string;
  spEntityId: string;
  now: () => Date;
}

const form = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 50 });
const NO_ERRORS: FormErrors = { byField: {}, summary: [] };
const NEW_TITLE = 'Add an IdP connection';
const FIELD_LISTS = { settingFields: SETTING_FIELDS, attributeFields: ATTRIBUTE_FIELDS };

export function idpRoutes(deps: IdpRouteDeps): Router {
  const router = Router();

  router.get('/admin/idps/new', (req, res) => {
    const setup = isSetupSession(req.user);
    // A new connection makes no admins unless ticked; the setup-token session's first one must.
    const values = { ...entryValues({ grantsAdmin: setup }) };
    const locals = { title: NEW_TITLE, values, errors: NO_ERRORS, headline: undefined, preview: undefined, setup };
    res.render('admin/idp-new', { ...locals, ...FIELD_LISTS });
  });

  router.post('/admin/idps', form, requireCsrfToken(), asyncHandler(createIdp(deps)));

  router.get('/admin/idps/:id', (req, res) => {
    renderIdp(res, deps, String(req.params.id), undefined);
  });

  router.post(
    '/admin/idps/:id/settings',
    form,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      const id = String(req.params.id);
      const values = postedValues(req.body);
      try {
        await deps.idps.updateSettings(id, settingsOf(values, field(req, 'settingsForm') === '1'), actorOf(req));
      } catch (err) {
        if (!(err instanceof IdpInvalid)) throw err;
        res.status(400);
        renderIdp(res, deps, id, { values, ...formFailure(err, undefined) });
        return;
      }
      res.redirect(303, `/admin/idps/${encodeURIComponent(id)}`);
    }),
  );

  router.post(
    '/admin/idps/:id/certs',
    form,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      await deps.idps.addCertificate(String(req.params.id), field(req, 'certificate') ?? '', actorOf(req));
      res.redirect(303, `/admin/idps/${encodeURIComponent(String(req.params.id))}`);
    }),
  );

  router.post(
    '/admin/idps/:id/certs/remove',
    form,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      await deps.idps.removeCertificate(String(req.params.id), field(req, 'fingerprint') ?? '', actorOf(req));
      res.redirect(303, `/admin/idps/${encodeURIComponent(String(req.params.id))}`);
    }),
  );

  router.post(
    '/admin/idps/:id/delete',
    form,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      await deps.idps.remove(String(req.params.id), actorOf(req));
      res.redirect(303, '/admin');
    }),
  );

  return router;
}

/** Preview or save a new connection; the setup-token session ends with its first one. */
function createIdp(deps: IdpRouteDeps): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    const setup = isSetupSession(req.user);
    const values = postedValues(req.body);
    const draft = idpDraftOf(values, setup, field(req, 'settingsForm') === '1');
    const locals = { title: NEW_TITLE, values, setup, ...FIELD_LISTS };
    try {
      if (field(req, 'action') === 'save') {
        await deps.idps.create(draft, actorOf(req));
        if (setup) await endSetupSession(req, res, deps, draft);
        else res.redirect(303, `/admin/idps/${encodeURIComponent(draft.id)}`);
        return;
      }
      const preview = await deps.idps.preview(draft);
      res.render('admin/idp-new', { ...locals, errors: NO_ERRORS, headline: undefined, preview });
    } catch (err) {
      const failure = formFailure(err, sourceFieldOf(err, values));
      res.status(400).render('admin/idp-new', { ...locals, ...failure, preview: undefined });
    }
  };
}

type Failure = { errors: FormErrors; headline: string };

/** The page's answer to a refused form: 4xx errors are the admin's to fix; anything else is ours. */
function formFailure(err: unknown, fallbackField: string | undefined): Failure {
  if (!isAppError(err) || err.status >= 500) throw err;
  if (err instanceof IdpInvalid) {
    const count = err.problems.length;
    const headline = `${count === 1 ? 'One setting is' : `${count} settings are`} not valid (${err.code}).`;
    return { errors: formErrors(err.problems, fallbackField), headline };
  }
  const problem: FieldProblem = { path: '', message: err.publicMessage };
  return { errors: formErrors([problem], fallbackField), headline: `${err.publicMessage} (${err.code})` };
}

/** Which input of the new-connection form a refusal that names no field is about. */
function sourceFieldOf(err: unknown, values: Record<string, string>): string | undefined {
  if (!isAppError(err)) return undefined;
  const given = (name: string) => (values[name] ?? '').trim() !== '';
  const fromMetadata = given('metadataXml') ? 'metadataXml' : given('metadataUrl') ? 'metadataUrl' : 'certs';
  const byCode: Record<string, string> = {
    IDP_EXISTS: 'id',
    IDP_METADATA_INVALID: fromMetadata,
    IDP_CERTIFICATES_REFUSED: fromMetadata,
    CERTIFICATE_INVALID: 'certs',
  };
  return byCode[err.code];
}

type Refused = { values: Record<string, string> } & Failure;

function renderIdp(res: Response, deps: IdpRouteDeps, id: string, refused: Refused | undefined): void {
  const snapshot = deps.registry.snapshot();
  const idp = snapshot.idps.find((i) => i.id === id);
  const record = snapshot.records.idps.find((r) => r.id === id);
  if (idp === undefined && record === undefined) {
    const message = 'There is no identity provider connection with that name.';
    const requestId = res.locals.requestId;
    res.status(404).render('error', { title: 'Not found', code: 'IDP_UNKNOWN', message, requestId, status: 404 });
    return;
  }
  const certs = (idp?.certs ?? []).map((c) => describeCertificate(c, deps.now()));
  const values = refused?.values ?? entryValues(record?.entry ?? {});
  res.render('admin/idp', {
    title: `IdP ${id}`,
    id,
    idp,
    values,
    errors: refused?.errors ?? NO_ERRORS,
    headline: refused?.headline,
    ...FIELD_LISTS,
    source: snapshot.source('idp', id) ?? 'console',
    certs,
    acsUrl: deps.acsUrl(id),
    spEntityId: deps.spEntityId,
    warnDays: EXPIRY_WARNING_DAYS,
  });
}

/** The first IdP is saved: the setup-token session ends, and the admin signs in through that IdP. */
async function endSetupSession(req: Request, res: Response, deps: IdpRouteDeps, draft: IdpDraft): Promise<void> {
  await signOut(req);
  res.locals.user = undefined;
  res.setHeader('Cache-Control', 'no-store');
  res.render('admin/setup-done', {
    title: 'First IdP connection saved',
    id: draft.id,
    name: draft.name || draft.id,
    acsUrl: deps.acsUrl(draft.id),
    spEntityId: deps.spEntityId,
  });
}

/** In a setup-token session the first IdP must be able to make admins, or nobody could sign in as one. */
function idpDraftOf(values: Record<string, string>, setup: boolean, fullForm: boolean): IdpDraft {
  const settings = settingsOf(values, fullForm);
  const certs = (values.certs ?? '')
    .split(/(?=-----BEGIN CERTIFICATE-----)/)
    .map((c) => c.trim())
    .filter((c) => c !== '');
  return {
    id: (values.id ?? '').trim(),
    name: values.name?.trim(),
    metadataXml: values.metadataXml,
    metadataUrl: values.metadataUrl,
    entityId: values.entityId?.trim() || undefined,
    ssoUrl: values.ssoUrl?.trim() || undefined,
    certs,
    settings: { ...defaultFlags(), ...settings, grantsAdmin: setup || settings.grantsAdmin === true },
  };
}
