export { PersonIndex, scorePair, subjectForMatching, normalisePostcode, blockKeysOf, queryKeysOf, rankCandidates } from './personIndex';
export type { KnownPerson, MatchSubject, MatchResult, PairScore, PersonIndexOptions, Ranked } from './personIndex';
export { addressKey, findDuplicateIncident } from './duplicateIncident';
export type { DuplicateIncident, DuplicateOptions } from './duplicateIncident';
export { jaroWinkler, soundex, normaliseName, compareNames, isNickname } from './names';
