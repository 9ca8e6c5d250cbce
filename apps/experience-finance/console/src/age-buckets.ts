/**
 * The overview's exception age buckets, as the exceptions list's first-seen filters in minutes: the same bounds
 * experience-finance counts the overview's numbers with, so each number opens the list it counts.
 */
export const AGE_BUCKETS = {
  lt1h: { label: 'under 1 hour', minAgeMinutes: undefined, maxAgeMinutes: 60 },
  lt24h: { label: '1 to 24 hours', minAgeMinutes: 60, maxAgeMinutes: 24 * 60 },
  lt7d: { label: '1 to 7 days', minAgeMinutes: 24 * 60, maxAgeMinutes: 7 * 24 * 60 },
  gte7d: { label: '7 days or more', minAgeMinutes: 7 * 24 * 60, maxAgeMinutes: undefined },
} as const;
export type AgeBucket = keyof typeof AGE_BUCKETS;
