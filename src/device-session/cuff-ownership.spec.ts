import type { DeviceInfo } from '../device-adapter/cuff-transport';
import { CuffOwnership } from './cuff-ownership';
import type { SessionSupervisor } from './session-supervisor';

const cuff = (deviceId: string, gatewayId: string | null): DeviceInfo =>
  ({
    deviceId,
    gatewayId,
    model: 'sim',
    firmware: '1',
    channels: ['A', 'B'],
    online: true,
    state: 'IDLE',
    lastSeenAt: null,
  }) as DeviceInfo;

describe('CuffOwnership', () => {
  const sut = new CuffOwnership(
    {
      cuffs: new Map([
        ['cuff-9', 'clinic-south'],
        ['gw-1-cuff-2', 'clinic-south'],
      ]),
      gateways: new Map([['gw-1', 'clinic-east']]),
      simulated: 'clinic-north',
    },
    {} as SessionSupervisor,
  );

  it('gives a simulated cuff its own organization, else the simulator’s', () => {
    expect(sut.ownerOf(cuff('cuff-1', null))).toBe('clinic-north');
    expect(sut.ownerOf(cuff('cuff-9', null))).toBe('clinic-south');
  });

  it('gives a cuff behind a gateway the gateway’s organization, and no one’s when they disagree or none is set', () => {
    expect(sut.ownerOf(cuff('gw-1-cuff-1', 'gw-1'))).toBe('clinic-east');
    expect(sut.ownerOf(cuff('gw-1-cuff-2', 'gw-1'))).toBeNull();
    expect(sut.ownerOf(cuff('gw-2-cuff-1', 'gw-2'))).toBeNull();
    expect(sut.ownerOf(cuff('cuff-9', 'gw-2'))).toBe('clinic-south');
  });
});
