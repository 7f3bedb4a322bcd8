// The IdP settings form: which inputs it has (one per console-editable setting, described by the
// configuration schema's own .describe() text), how a posted form becomes settings, how an
// entry becomes the form's values, and which input a validation problem belongs to. The values
// stay text throughout, so a form sent back with errors shows exactly what the admin typed.
import { idpSchema } from '../../../config/schema-idp.ts';
import { ATTRIBUTE_KEYS, type FieldProblem, type IdpSettings } from '../../../admin/idp-entry.ts';

export interface FormField {
  /** The input's name; also its element id with a `field-` prefix. */
  name: string;
  label: string;
  kind: 'text' | 'number' | 'checkbox';
  hint?: string;
}

type Values = Record<string, string>;

/** What an entry holds for each setting it leaves out. */
const SCHEMA_DEFAULTS: Record<string, unknown> = idpSchema.parse({ id: 'defaults' });
const SCHEMA_DEFAULT_ATTRIBUTES = idpSchema.shape.attributes.parse({});

const hintOf = (key: string): string | undefined =>
  (idpSchema.shape as Record<string, { description?: string }>)[key]?.description;

const setting = (name: string, label: string, kind: FormField['kind']): FormField => ({
  name,
  label,
  kind,
  hint: hintOf(name),
});

/** Display name and flags first, then limits, then attribute names; the order the page shows. */
export const SETTING_FIELDS: readonly FormField[] = [
  setting('name', 'Display name', 'text'),
  setting('enabled', 'Enabled', 'checkbox'),
  setting('grantsAdmin', 'May make admins (members of admin.groups)', 'checkbox'),
  setting('allowIdpInitiated', 'Allow IdP-initiated sign-in', 'checkbox'),
  setting('wantAssertionsSigned', 'Require a signed assertion', 'checkbox'),
  setting('wantResponseSigned', 'Require a signed Response', 'checkbox'),
  setting('allowSha1Signatures', 'Accept SHA-1 signatures', 'checkbox'),
  setting('wantLogoutSigned', 'Require signed logout messages (Redirect binding)', 'checkbox'),
  setting('sloUrl', 'Single Logout URL', 'text'),
  setting('clockSkewSeconds', 'Clock skew, seconds (empty: sp.clockSkewSeconds)', 'number'),
  setting('maxResponseAgeSeconds', 'Maximum response age, seconds (empty: sp.maxResponseAgeSeconds)', 'number'),
  setting('maxAuthnAgeSeconds', 'Maximum authentication age, seconds (empty: sp.maxAuthnAgeSeconds)', 'number'),
  setting('maxSessionDurationSeconds', 'Maximum role session duration, seconds (empty: 3600)', 'number'),
];

export const ATTRIBUTE_FIELDS: readonly FormField[] = ATTRIBUTE_KEYS.map((key) => ({
  name: `attr_${key}`,
  label: `Attribute for ${key}`,
  kind: 'text' as const,
  hint: key === 'groups' ? 'empty: admin.groupsAttribute' : `empty: ${String(SCHEMA_DEFAULT_ATTRIBUTES[key])}`,
}));

/** Fields of the new-connection form that are not settings, for the error summary's labels. */
const SOURCE_FIELDS: readonly FormField[] = [
  { name: 'id', label: 'Id', kind: 'text' },
  { name: 'metadataXml', label: 'Metadata XML', kind: 'text' },
  { name: 'metadataUrl', label: 'Metadata URL', kind: 'text' },
  { name: 'entityId', label: 'Entity ID', kind: 'text' },
  { name: 'ssoUrl', label: 'SSO URL', kind: 'text' },
  { name: 'certs', label: 'Signing certificates', kind: 'text' },
];

const ALL_FIELDS = [...SOURCE_FIELDS, ...SETTING_FIELDS, ...ATTRIBUTE_FIELDS];

/** The form's text values from a posted body: only its own fields, strings only. */
export function postedValues(body: unknown): Values {
  const source = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const posted = ALL_FIELDS.flatMap((f) => {
    const value = source[f.name];
    return typeof value === 'string' ? [[f.name, value]] : [];
  });
  return Object.fromEntries(posted);
}

/** The form's values for a stored entry (or, for a new connection, the schema's defaults). */
export function entryValues(entry: Record<string, unknown>): Values {
  const withDefaults = { ...SCHEMA_DEFAULTS, ...entry } as Record<string, unknown>;
  const attributes = (entry.attributes ?? {}) as Record<string, unknown>;
  const values: Values = {};
  for (const field of SETTING_FIELDS) {
    const value = withDefaults[field.name];
    if (field.kind === 'checkbox') values[field.name] = value === false || value === undefined ? '' : 'on';
    else if (value !== undefined) values[field.name] = String(value);
  }
  for (const key of ATTRIBUTE_KEYS) if (typeof attributes[key] === 'string') values[`attr_${key}`] = attributes[key];
  return values;
}

/**
 * Settings from a posted form. The full form (marked settingsForm=1) sets every setting: an
 * unticked box is false, an empty input removes the value. A post without the mark (a script
 * changing one thing) changes only the settings it names.
 */
export function settingsOf(values: Values, fullForm: boolean): IdpSettings {
  const settings: Record<string, unknown> = {};
  for (const field of SETTING_FIELDS) {
    const raw = values[field.name];
    if (!fullForm && raw === undefined) continue;
    if (field.kind === 'checkbox') settings[field.name] = raw === 'on';
    else settings[field.name] = textSetting(raw, field.kind);
  }
  const attributes = Object.fromEntries(
    ATTRIBUTE_KEYS.flatMap((key) => {
      const value = values[`attr_${key}`]?.trim();
      return value === undefined || value === '' ? [] : [[key, value]];
    }),
  );
  if (fullForm || Object.keys(attributes).length > 0) settings.attributes = attributes;
  return settings as IdpSettings;
}

/** Every on/off setting at the schema's default, so a new entry records each choice explicitly. */
export function defaultFlags(): Record<string, boolean> {
  const flags = SETTING_FIELDS.filter((f) => f.kind === 'checkbox');
  return Object.fromEntries(flags.map((f) => [f.name, SCHEMA_DEFAULTS[f.name] === true]));
}

function textSetting(raw: string | undefined, kind: FormField['kind']): string | number | undefined {
  const text = raw?.trim() ?? '';
  if (text === '') return undefined;
  // Anything else stays text for the schema to refuse beside the field.
  return kind === 'number' && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** `attributes.dbUser` is the input attr_dbUser; a deeper path belongs to its top-level input. */
function inputNameOf(path: string): string {
  return path.replace(/^attributes\./, 'attr_').replace(/\..*$/, '');
}

export interface FormErrors {
  /** Message by input name, shown beside the input. */
  byField: Record<string, string>;
  /** Every problem, in form order, for the summary at the top (field '' when it concerns no one input). */
  summary: Array<{ field: string; label: string; message: string }>;
}

/** Places each problem beside its input; `fallback` names the input for problems without a path. */
export function formErrors(problems: FieldProblem[], fallback?: string): FormErrors {
  const byField: Record<string, string> = {};
  const summary: FormErrors['summary'] = [];
  for (const problem of problems) {
    const name = problem.path === '' ? (fallback ?? '') : inputNameOf(problem.path);
    const field = ALL_FIELDS.find((f) => f.name === name);
    if (field !== undefined) byField[name] = [byField[name], problem.message].filter((m) => m !== undefined).join('; ');
    const label = field?.label ?? (problem.path || 'This connection');
    summary.push({ field: field === undefined ? '' : name, label, message: problem.message });
  }
  const order = (f: string) => (f === '' ? -1 : ALL_FIELDS.findIndex((x) => x.name === f));
  summary.sort((a, b) => order(a.field) - order(b.field));
  return { byField, summary };
}
