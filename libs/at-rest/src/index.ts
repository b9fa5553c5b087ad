export * from './dataKeys';
export * from './sealedColumns.repository';
export * from './processKeys';
