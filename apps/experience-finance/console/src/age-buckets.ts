/** The overview's exception age buckets, as the exceptions list's first-seen bounds in minutes. */
export const AGE_BUCKETS = {
  lt1h: { label: 'under 1 hour', minAgeMinutes: undefined, maxAgeMinutes: 59 },
  lt24h: { label: '1 to 24 hours', minAgeMinutes: 60, maxAgeMinutes: 24 * 60 - 1 },
  lt7d: { label: '1 to 7 days', minAgeMinutes: 24 * 60, maxAgeMinutes: 7 * 24 * 60 - 1 },
  gte7d: { label: '7 days or more', minAgeMinutes: 7 * 24 * 60, maxAgeMinutes: undefined },
} as const;
export type AgeBucket = keyof typeof AGE_BUCKETS;
