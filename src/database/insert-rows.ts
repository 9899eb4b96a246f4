import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

/** The INSERT of each entity, by the number of rows it takes. */
const statements = new WeakMap<EntityMetadata, Map<number, string>>();

function insertStatement(manager: EntityManager, metadata: EntityMetadata, rowCount: number): string {
  const { driver } = manager.connection;
  const columns = metadata.columns.map((column) => driver.escape(column.databaseName));
  const rows = Array.from({ length: rowCount }, (_, row) => {
    const offset = row * metadata.columns.length;
    const parameters = metadata.columns.map((column, i) => driver.createParameter(column.propertyName, offset + i));
    return `(${parameters.join(', ')})`;
  });
  return `INSERT INTO ${driver.escape(metadata.tableName)} (${columns.join(', ')}) VALUES ${rows.join(', ')}`;
}

/**
 * Inserts rows that hold a value for every column of their entity in one statement, as TypeORM's
 * insert stores them (column transformers, driver conversions), with a statement made once per
 * entity and row count. TypeORM's insert builds its statement again for every call, which cost
 * more main-thread time than the rest of storing a screening, a draft plan or a CDS card.
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: readonly T[],
): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  const metadata = manager.connection.getMetadata(entity);
  let byCount = statements.get(metadata);
  if (byCount === undefined) {
    byCount = new Map();
    statements.set(metadata, byCount);
  }
  let statement = byCount.get(rows.length);
  if (statement === undefined) {
    statement = insertStatement(manager, metadata, rows.length);
    byCount.set(rows.length, statement);
  }
  const { driver } = manager.connection;
  const values = rows.flatMap((row) =>
    metadata.columns.map((column) => {
      const value: unknown = column.getEntityValue(row);
      if (value === undefined) {
        // TypeORM would write the column's default; a row here states every value.
        throw new Error(`insertRows: no value for ${metadata.tableName}.${column.databaseName}`);
      }
      return driver.preparePersistentValue(value, column) as unknown;
    }),
  );
  await manager.query(statement, values);
}
