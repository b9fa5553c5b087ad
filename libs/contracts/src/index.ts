export * from './agencies';
export * from './topics';
export * from './types';
export * from './envelope';
export * from './identifiers';
export * from './validation';
export { commonSchema } from './schemas/common';
export { contactSchema } from './schemas/contact';
export { eventSchemas } from './schemas/events';
