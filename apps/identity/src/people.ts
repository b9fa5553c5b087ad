/**
 * The demo's people. They exist only in the demo identity provider (`npm start`, the tests): a
 * council signs its staff in through its own identity provider, and the hub reads who they are and
 * their roles from the token (docs/architecture.md, "Trust boundary and data"). Passwords here are demo passwords,
 * printed by `npm start`; the provider refuses to start in production mode.
 */
export interface DemoPerson {
  subject: string;
  name: string;
  password: string;
  roles: string[];
}

export const DEMO_PEOPLE: DemoPerson[] = [
  { subject: 'dm-amina.shah', name: 'Amina Shah (MASH team manager)', password: 'demo-amina', roles: ['decision-maker', 'manager'] },
  { subject: 'dm-tom.okafor', name: 'Tom Okafor (MASH social worker)', password: 'demo-tom', roles: ['decision-maker'] },
  { subject: 'ops-priya.nair', name: 'Priya Nair (hub operations)', password: 'demo-priya', roles: ['ops'] },
  { subject: 'aud-grace.li', name: 'Grace Li (information governance)', password: 'demo-grace', roles: ['auditor'] },
  { subject: 'board-screen', name: 'MASH office wall screen', password: 'demo-board', roles: ['board'] },
  // Signed in, but with no role in the hub: every guarded route refuses them.
  { subject: 'visitor-sam.rees', name: 'Sam Rees (no MASH role)', password: 'demo-sam', roles: [] },
];

export const findPerson = (subject: string) => DEMO_PEOPLE.find((p) => p.subject === subject);
