export { planChecks } from './planChecks';
export { planAdditions, mergePlans, capDueTimes } from './revise';
