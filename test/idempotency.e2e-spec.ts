import { Body, Controller, Module, Post } from '@nestjs/common';
import { createHash } from 'node:crypto';

import request from 'supertest';
import { DataSource } from 'typeorm';
import { z } from 'zod';

import { Roles } from '../src/auth/auth.decorators';
import { IdempotencyRecord } from '../src/idempotency/idempotency-record.entity';
import { IN_FLIGHT_LIMIT_MS } from '../src/idempotency/idempotency.interceptor';
import { Idempotent } from '../src/idempotency/idempotent.decorator';
import { canonicalJson } from '../src/common/canonical-json';
import { CLINIC, startTestApp, type TestApp } from './test-app';

const NoteRequest = z.strictObject({ text: z.string().min(1) });

/**
 * A minimal creating endpoint to exercise the shared idempotency mechanism: it counts what it
 * creates, and can be held open to show a request in flight.
 */
class NoteBook {
  created: string[] = [];
  hold?: Promise<void>;
  /** Told when a request reaches the endpoint, past the idempotency check. */
  reached?: () => void;
}
const notebook = new NoteBook();

@Roles('clinician')
@Controller('v1/test-notes')
class NotesController {
  @Post()
  @Idempotent()
  async create(
    @Body({ schema: NoteRequest }) body: z.infer<typeof NoteRequest>,
  ): Promise<{ id: number; text: string }> {
    notebook.reached?.();
    await notebook.hold;
    if (body.text === 'fail') {
      throw new Error('the note could not be stored');
    }
    notebook.created.push(body.text);
    return { id: notebook.created.length, text: body.text };
  }
}

@Module({ controllers: [NotesController] })
class NotesModule {}

describe('Idempotency-Key on creating requests', () => {
  let sut: TestApp;
  let token: string;

  beforeAll(async () => {
    sut = await startTestApp({}, { features: [NotesModule] });
    token = await sut.tokenFor('clinician');
  });

  afterAll(async () => {
    await sut.close();
  });

  beforeEach(() => {
    notebook.created = [];
    notebook.hold = undefined;
    notebook.reached = undefined;
  });

  const create = (body: object, key?: string, bearer = token) => {
    const req = request(sut.http).post('/v1/test-notes').auth(bearer, { type: 'bearer' });
    return (key ? req.set('idempotency-key', key) : req).send(body);
  };

  it('answers a retry with the same key and body with the stored answer, creating nothing more', async () => {
    const first = await create({ text: 'knee' }, 'key-1').expect(201);
    const retry = await create({ text: 'knee' }, 'key-1').expect(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(notebook.created).toEqual(['knee']);
  });

  it('refuses the same key with a different body with 422', async () => {
    await create({ text: 'knee' }, 'key-2').expect(201);
    const res = await create({ text: 'ankle' }, 'key-2').expect(422);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(notebook.created).toEqual(['knee']);
  });

  it('answers 409 while the first request with the key is still in flight', async () => {
    let release = () => undefined as void;
    notebook.hold = new Promise<void>((done) => (release = done));
    const reached = new Promise<void>((done) => (notebook.reached = done));
    const first = create({ text: 'hip' }, 'key-3');
    const firstDone = first.then((res) => res);
    await reached;
    const second = await create({ text: 'hip' }, 'key-3');
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('IDEMPOTENCY_IN_FLIGHT');
    release();
    expect((await firstDone).status).toBe(201);
    expect(notebook.created).toEqual(['hip']);
  });

  it('scopes keys to the caller, so another user may use the same key', async () => {
    await create({ text: 'knee' }, 'key-4').expect(201);
    const colleague = await sut.tokenFor('clinician', { subject: 'dr-other' });
    await create({ text: 'knee' }, 'key-4', colleague).expect(201);
    expect(notebook.created).toEqual(['knee', 'knee']);
  });

  it('releases the key when the request fails, so it can be retried', async () => {
    await create({ text: 'fail' }, 'key-5').expect(500);
    await create({ text: 'fine now' }, 'key-5').expect(201);
    await create({}, 'key-6').expect(400);
    await create({ text: 'valid now' }, 'key-6').expect(201);
  });

  it('creates every time without a key, and refuses a malformed key', async () => {
    await create({ text: 'a' }).expect(201);
    await create({ text: 'a' }).expect(201);
    expect(notebook.created).toHaveLength(2);
    await create({ text: 'a' }, 'bad key with spaces').expect(400);
  });

  describe('a key left in flight by a process that died mid-request', () => {
    const abandon = (db: DataSource, key: string, body: object, createdAt: Date) =>
      db.getRepository(IdempotencyRecord).insert({
        tenant: CLINIC,
        subject: 'test-clinician',
        key,
        action: 'POST /v1/test-notes',
        requestHash: createHash('sha256').update(canonicalJson(body)).digest('hex'),
        responseStatus: null,
        responseBody: null,
        createdAt,
      });

    it('is released once it is older than any request runs', async () => {
      await abandon(
        sut.app.get(DataSource),
        'key-abandoned',
        { text: 'after the crash' },
        new Date(Date.now() - IN_FLIGHT_LIMIT_MS - 1000),
      );
      const retried = await create({ text: 'after the crash' }, 'key-abandoned').expect(201);
      expect(notebook.created).toEqual(['after the crash']);
      expect((await create({ text: 'after the crash' }, 'key-abandoned').expect(201)).body).toEqual(retried.body);
    });

    it('is released at start-up on SQLite, where the one process serving the file is the one that died', async () => {
      await abandon(sut.app.get(DataSource), 'key-restart', { text: 'restarted' }, new Date());
      await create({ text: 'restarted' }, 'key-restart').expect(409);
      await sut.restart();
      await create({ text: 'restarted' }, 'key-restart').expect(201);
      expect(notebook.created).toEqual(['restarted']);
    });
  });
});
