export * from './dataKeys';
export * from './sealedColumns.repository';
export * from './processKeys';
export * from './queryResults';
