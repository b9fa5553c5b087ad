export { PersonIndex, scorePair, subjectForMatching, normalisePostcode } from './personIndex';
export type { KnownPerson, MatchSubject, MatchResult, PairScore, PersonIndexOptions } from './personIndex';
export { findDuplicateIncident } from './duplicateIncident';
export type { DuplicateIncident, DuplicateOptions } from './duplicateIncident';
export { jaroWinkler, soundex, normaliseName, compareNames, isNickname } from './names';
