import { DeviceSessionAlarmRecord } from './device-session-alarm.entity';
import { DeviceSessionEventRecord } from './device-session-event.entity';
import { DeviceSessionSetRecord } from './device-session-set.entity';
import { DeviceSessionRecord } from './device-session.entity';
import { LopMeasurementRecord } from './lop-measurement.entity';

/** The tables of device sessions and cuff-measured LOPs. */
export const DEVICE_SESSION_ENTITIES = [
  DeviceSessionRecord,
  DeviceSessionEventRecord,
  DeviceSessionAlarmRecord,
  DeviceSessionSetRecord,
  LopMeasurementRecord,
];
