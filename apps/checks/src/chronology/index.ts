export * from './chronology';
