import type { Role } from './roles';

/** Owners of the apps' configured service keys (`service:<app>`); no minted key can take one. */
export const isServiceOwner = (owner: string | undefined): boolean => owner?.startsWith('service:') ?? false;

/** How a key configured by an environment variable (the bootstrap admin key, a service key) is recorded. */
export interface ConfiguredKeySpec {
  /** The variable that holds it, named in logs and as the actor of the revocations it causes. */
  variable: string;
  name: string;
  roles: Role[];
  createdBy: string;
  /** Who the key acts for, e.g. `service:process-q2c` or the bootstrap admin. */
  owner: string;
}
