import type { CuffConfig } from '../config/config';
import { DomainError, ErrorCode } from '../common/problem';
import type { DeviceInfo } from '../device-adapter/cuff-transport';
import type { SessionSupervisor } from './session-supervisor';

/**
 * Which organization each cuff belongs to, by configuration: the cuff's own assignment, else its
 * gateway's, else (simulated cuffs) the simulator's organization. A cuff of no organization, or
 * whose own and gateway's assignments disagree, belongs to no one: no one sees or inflates it.
 */
export class CuffOwnership {
  constructor(
    private readonly organizations: CuffConfig['organizations'],
    private readonly supervisor: SessionSupervisor,
  ) {}

  ownerOf(device: DeviceInfo): string | null {
    const own = this.organizations.cuffs.get(device.deviceId);
    if (device.gatewayId === null) {
      return own ?? this.organizations.simulated;
    }
    const gateways = this.organizations.gateways.get(device.gatewayId);
    if (own !== undefined && gateways !== undefined && own !== gateways) {
      return null;
    }
    return own ?? gateways ?? null;
  }

  /** The cuffs of the organization. */
  devicesOf(tenant: string): DeviceInfo[] {
    return this.supervisor.devices().filter((device) => this.ownerOf(device) === tenant);
  }

  /** The organization's cuff, online; another organization's answers 404 like an unknown one, before its presence is told. */
  device(deviceId: string, tenant: string): DeviceInfo {
    const known = this.supervisor.devices().find((device) => device.deviceId === deviceId);
    if (known && this.ownerOf(known) !== tenant) {
      throw new DomainError(
        ErrorCode.DeviceNotFound,
        `No cuff with id ${deviceId} is known. GET /v1/devices lists the cuffs the service can reach.`,
      );
    }
    return this.supervisor.device(deviceId);
  }
}
