export { planChecks } from './planChecks';
