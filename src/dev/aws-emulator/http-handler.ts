// One HTTP request to the emulator, end to end: read and parse it, let the test controls act,
// dispatch it, then answer in the service's wire format and record it. Any error that is not an
// AwsFault becomes AWS's generic InternalFailure, so no stack or message leaks to the client.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../logger.ts';
import type { CallControls } from './call-controls.ts';
import type { CallLog } from './call-log.ts';
import { dispatch, type EmulatorActions } from './dispatch.ts';
import { parseCall, readBody, type ParsedCall } from './request.ts';
import { AwsFault, sendJsonError, sendJsonResult, sendQueryError, sendQueryResult } from './wire.ts';

const INTERNAL_FAILURE = 'The request processing has failed because of an unknown error, exception or failure.';

export interface RequestHandlerDeps {
  actions: EmulatorActions;
  controls: CallControls;
  log: CallLog;
  logger: Logger | undefined;
}

/** AWS's answer to a failure it does not explain. */
export function internalFailure(): AwsFault {
  return new AwsFault('InternalFailure', INTERNAL_FAILURE, 500);
}

export function createRequestHandler(deps: RequestHandlerDeps) {
  const { actions, controls, log, logger } = deps;
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    let call: ParsedCall | undefined;
    try {
      const body = await readBody(req);
      call = parseCall(req, body);
      await controls.apply(call.action);
      const result = await dispatch(call, req, body, actions);
      if (call.service === 'redshift-serverless') sendJsonResult(res, result, requestId);
      else sendQueryResult(res, call.service, call.action, result, requestId);
      log.record(call, requestId);
    } catch (error) {
      const fault = error instanceof AwsFault ? error : internalFailure();
      if (!(error instanceof AwsFault))
        logger?.error({ err: { message: (error as Error).message } }, 'aws emulator failure');
      const service = call?.service ?? 'redshift';
      if (service === 'redshift-serverless') sendJsonError(res, fault, requestId);
      else sendQueryError(res, service, fault, requestId);
      log.record(call ?? { service, action: 'Unknown', params: {} }, requestId, fault);
    }
  };
}
