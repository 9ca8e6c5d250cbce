import { Client } from 'pg';
import { PLATFORM_SCHEMA } from '@revline/auth';
import { AppRolesRepository, AUDIT_WRITER_ROLE, APP_GROUP_ROLE } from './app-roles.repository';

/** One app's schema and the URL the app connects with: the URL's user becomes the schema's owner. */
export interface AppRoleGrant {
  schema: string;
  url: string;
}

/** The variable holding an app's own database URL for the migrate command (`PROCESS_Q2C_DATABASE_URL`). */
export function appDatabaseUrlVariable(app: string): string {
  return `${app.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`;
}

function credentialsOf(url: string): { role: string; password?: string } {
  const parsed = new URL(url);
  const role = decodeURIComponent(parsed.username);
  if (!role)
    throw new Error(`an app's database URL must name its role (postgres://<role>:<password>@host/db)`);
  return { role, password: parsed.password ? decodeURIComponent(parsed.password) : undefined };
}

function refuseSharedRoles(grants: { schema: string; role: string }[]): void {
  const owners = new Map<string, string>();
  for (const { schema, role } of grants) {
    const other = owners.get(role);
    if (other)
      throw new Error(`role ${role} is given to both ${other} and ${schema}: each app needs its own`);
    owners.set(role, schema);
  }
}

async function withRepository<T>(
  adminUrl: string,
  work: (repo: AppRolesRepository) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(new AppRolesRepository(client));
  } finally {
    await client.end();
  }
}

/** Whether the role of `adminUrl` can give the apps roles of their own (`npm start` falls back to one URL). */
export async function canGrantAppRoles(adminUrl: string): Promise<boolean> {
  return withRepository(adminUrl, (repo) => repo.canCreateRoles());
}

/**
 * Gives each app a login role of its own (its URL's user and password) that owns its schema and nothing else, a
 * member of `revline_app` (API keys) and through it of `revline_audit_writer` (the audit log, append only). Run
 * after the migrations, by the role that ran them; idempotent. Returns the roles granted, `role→schema`.
 */
export async function applyAppRoles(adminUrl: string, grants: AppRoleGrant[]): Promise<string[]> {
  const roles = grants.map(({ schema, url }) => ({ schema, ...credentialsOf(url) }));
  refuseSharedRoles(roles);
  return withRepository(adminUrl, async (repo) => {
    await repo.ensureRole(AUDIT_WRITER_ROLE, false);
    await repo.ensureRole(APP_GROUP_ROLE, false);
    await repo.grantPlatform(PLATFORM_SCHEMA);
    for (const { schema, role, password } of roles) {
      if (await repo.isSuperuserOrSelf(role)) {
        throw new Error(
          `role ${role} (for ${schema}) is a superuser or the migrating role: give the app its own`,
        );
      }
      await repo.ensureRole(role, true);
      await repo.setPassword(role, password);
      await repo.giveSchema(schema, role);
    }
    return roles.map(({ schema, role }) => `${role}→${schema}`);
  });
}
