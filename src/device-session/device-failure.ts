import { DomainError, ErrorCode } from '../common/problem';
import { DeviceNoAckError, DeviceUnavailableError } from '../device-adapter/cuff-transport';
import type { Ack } from '../device-adapter/protocol';

/** A failed exchange with a cuff, as the clinician reads it; other errors pass through unchanged. */
export function deviceFailure(error: unknown): unknown {
  if (error instanceof DeviceNoAckError) {
    return new DomainError(
      ErrorCode.DeviceNoAck,
      `Cuff ${error.deviceId} did not acknowledge ${error.command} within ${error.deadlineMs / 1000} s, so it is not assumed to have been carried out. The cuff has been told to deflate; check that it is deflated (deflate it by hand if not).`,
      undefined,
      { cause: error },
    );
  }
  if (error instanceof DeviceUnavailableError) {
    return error.reason === 'unknown'
      ? new DomainError(ErrorCode.DeviceNotFound, `No cuff with id ${error.deviceId} is known.`, undefined, {
          cause: error,
        })
      : new DomainError(
          ErrorCode.DeviceOffline,
          error.reason === 'stopped'
            ? `The service is not connected to the cuffs now, so nothing was sent to cuff ${error.deviceId}.`
            : error.reason === 'unsequenced'
              ? `The service could not number a command for cuff ${error.deviceId} (its database did not answer), so nothing was sent.`
              : `Cuff ${error.deviceId} is offline, so nothing was sent. Check that it is switched on and in range of its gateway.`,
          undefined,
          { cause: error },
        );
  }
  return error;
}

/** A command the cuff answered but did not carry out. */
export function deviceRejection(deviceId: string, command: string, ack: Ack, why?: string): DomainError {
  return new DomainError(
    ErrorCode.DeviceRejected,
    `Cuff ${deviceId} refused ${command}: ${why ?? `${ack.result}${ack.detail ? ` (${ack.detail})` : ''}`}; it is ${ack.state}.`,
    undefined,
    { extensions: { ack: { result: ack.result, detail: ack.detail ?? null, state: ack.state } } },
  );
}

/** The alarm's wording when the cuff's deflation cannot be confirmed: why, and what the cuff does on its own. */
export function unconfirmedDeflation(error: unknown): string {
  const why =
    error instanceof DeviceNoAckError
      ? 'did not acknowledge DEFLATE'
      : error instanceof DeviceUnavailableError
        ? `could not be reached (${error.reason})`
        : 'failed to deflate';
  return `The cuff ${why}; it deflates on its own without the service's heartbeat (within 5 s), but check that it is deflated.`;
}
