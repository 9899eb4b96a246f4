import type { CuffTransport } from './device-adapter/cuff-transport';
import { databaseLabel, startupLine } from './startup-line';

const transport = (kind: CuffTransport['kind'], broker?: string) =>
  ({
    kind,
    health: () => ({ status: 'up', devicesKnown: 2, devicesOnline: 2, ...(broker && { broker }) }),
  }) as unknown as CuffTransport;

describe('the start-up line', () => {
  it('names the address, the database and the cuff transport', () => {
    expect(
      startupLine(
        'http://127.0.0.1:3000',
        { kind: 'sqlite', file: '/srv/bfr-rx/data/bfr-rx.sqlite' },
        transport('simulator'),
      ),
    ).toBe(
      'bfr-rx listening on http://127.0.0.1:3000; database sqlite:/srv/bfr-rx/data/bfr-rx.sqlite; cuffs: 2 simulated cuffs',
    );
    expect(
      startupLine(
        'http://0.0.0.0:8080',
        { kind: 'postgres', url: 'postgres://bfr@db.clinic:5432/bfr' },
        transport('mqtt', 'mqtts://broker.clinic:8883'),
      ),
    ).toBe(
      'bfr-rx listening on http://0.0.0.0:8080; database postgres postgres://bfr@db.clinic:5432/bfr; cuffs: MQTT via mqtts://broker.clinic:8883',
    );
  });

  it('never shows a PostgreSQL password, in the URL or as a parameter', () => {
    const label = databaseLabel({
      kind: 'postgres',
      url: 'postgresql://bfr:s3cret-pw@db.clinic/bfr?sslmode=require&password=other-pw',
    });
    expect(label).toBe('postgres postgresql://bfr:***@db.clinic/bfr?sslmode=require&password=***');
    expect(label).not.toMatch(/s3cret|other-pw/);
  });
});
