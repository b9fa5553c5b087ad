export * from './schedule';
export * from './workingHours';
