export const ROLES = ['finance.viewer', 'finance.operator', 'integration.admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What each role may also do: an operator can read what a viewer reads, an admin can do both.
 * Anything not granted is denied.
 */
const IMPLIES: Record<Role, readonly Role[]> = {
  'finance.viewer': ['finance.viewer'],
  'finance.operator': ['finance.operator', 'finance.viewer'],
  'integration.admin': ['integration.admin', 'finance.operator', 'finance.viewer'],
};

export function effectiveRoles(granted: readonly Role[]): Set<Role> {
  return new Set(granted.flatMap((role) => IMPLIES[role]));
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
