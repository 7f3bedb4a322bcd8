// The emulator's record of every call, for tests to assert on, and its log line per call.
// Parameters are recorded without secrets; what a call means is left to the action handlers.
import type { Logger } from '../../logger.ts';
import type { ParsedCall } from './request.ts';
import type { AwsFault, Service } from './wire.ts';

export interface EmulatorCall {
  service: Service;
  action: string;
  /** Request parameters without secrets: never SAMLAssertion, keys or passwords. */
  params: Record<string, unknown>;
  ok: boolean;
  errorCode?: string;
  requestId: string;
}

export interface CallLog {
  calls: EmulatorCall[];
  record(call: ParsedCall, requestId: string, fault?: AwsFault): void;
}

const UNRECORDED_PARAMS = new Set(['Action', 'Version', 'SAMLAssertion']);

export function createCallLog(logger: Logger | undefined): CallLog {
  const calls: EmulatorCall[] = [];
  function record(call: ParsedCall, requestId: string, fault?: AwsFault): void {
    const params = Object.fromEntries(Object.entries(call.params).filter(([name]) => !UNRECORDED_PARAMS.has(name)));
    calls.push({
      service: call.service,
      action: call.action,
      params,
      ok: !fault,
      ...(fault ? { errorCode: fault.code } : {}),
      requestId,
    });
    const fields = { service: call.service, action: call.action, requestId, errorCode: fault?.code };
    if (!fault) logger?.debug(fields, 'aws call');
    else if (fault.status < 500) logger?.warn({ ...fields, reason: fault.message }, 'aws call refused');
    else logger?.error(fields, 'aws call failed');
  }
  return { calls, record };
}
