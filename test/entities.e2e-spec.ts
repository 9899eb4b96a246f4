import { DataSource } from 'typeorm';

import { ENTITIES } from '../src/entities';
import { startTestApp, type TestApp } from './test-app';

describe('entities', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  it('registered by their own modules are the ones scripts and tests open the database with', () => {
    const registered = sut.app
      .get(DataSource)
      .entityMetadatas.map((entity) => (entity.target as { name: string }).name);
    expect(registered.sort()).toEqual(ENTITIES.map((entity) => entity.name).sort());
  });
});
