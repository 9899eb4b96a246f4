import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

const statements = new WeakMap<EntityMetadata, string>();

function insertStatement(manager: EntityManager, metadata: EntityMetadata): string {
  const { driver } = manager.connection;
  const columns = metadata.columns.map((column) => driver.escape(column.databaseName));
  const parameters = metadata.columns.map((column, i) => driver.createParameter(column.propertyName, i));
  return `INSERT INTO ${driver.escape(metadata.tableName)} (${columns.join(', ')}) VALUES (${parameters.join(', ')})`;
}

/**
 * Inserts one row holding a value for every column of its entity, as TypeORM's insert stores it
 * (column transformers, driver conversions), with a statement made once per entity. TypeORM's
 * insert builds its statement again for every row, which cost more main-thread time than the rest
 * of storing a screening or a draft plan.
 */
export async function insertRow<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  row: T,
): Promise<void> {
  const metadata = manager.connection.getMetadata(entity);
  let statement = statements.get(metadata);
  if (statement === undefined) {
    statement = insertStatement(manager, metadata);
    statements.set(metadata, statement);
  }
  const { driver } = manager.connection;
  const values = metadata.columns.map((column) => {
    const value: unknown = column.getEntityValue(row);
    if (value === undefined) {
      // TypeORM would write the column's default; a row here states every value.
      throw new Error(`insertRow: no value for ${metadata.tableName}.${column.databaseName}`);
    }
    return driver.preparePersistentValue(value, column) as unknown;
  });
  await manager.query(statement, values);
}
