import type { Client } from 'pg';

/** The role every app's own role is a member of: reads and writes the API keys, reads the platform schema. */
export const APP_GROUP_ROLE = 'revline_app';
/** The only way an app reaches the audit log: read it and append to it, never update, delete or truncate. */
export const AUDIT_WRITER_ROLE = 'revline_audit_writer';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The statements that give each app a database role of its own; run by the migrating (owner) role. */
export class AppRolesRepository {
  constructor(private readonly client: Client) {}

  private id(name: string): string {
    if (!ROLE_NAME.test(name)) throw new Error(`"${name}" is not a role or schema name Revline accepts`);
    return this.client.escapeIdentifier(name);
  }

  /** Whether the connected role may create roles and hand schemas over (a superuser, or CREATEROLE on its own). */
  async canCreateRoles(): Promise<boolean> {
    const found = await this.client.query<{ able: boolean }>(
      `SELECT rolsuper OR rolcreaterole AS able FROM pg_roles WHERE rolname = current_user`,
    );
    return found.rows[0]?.able ?? false;
  }

  async isSuperuserOrSelf(role: string): Promise<boolean> {
    const found = await this.client.query<{ refused: boolean }>(
      `SELECT rolsuper OR rolname = current_user AS refused FROM pg_roles WHERE rolname = $1`,
      [role],
    );
    return found.rows[0]?.refused ?? false;
  }

  /** Creates the role when missing (two migrators at once: the second one's attempt is a no-op). */
  async ensureRole(role: string, login: boolean): Promise<void> {
    const create = `CREATE ROLE ${this.id(role)} ${login ? 'LOGIN' : 'NOLOGIN'}`;
    await this.client.query(
      `DO $$ BEGIN ${create}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
    );
  }

  async setPassword(role: string, password: string | undefined): Promise<void> {
    const value = password === undefined ? 'NULL' : this.client.escapeLiteral(password);
    await this.client.query(`ALTER ROLE ${this.id(role)} LOGIN PASSWORD ${value}`);
  }

  /**
   * The platform schema's grants: the apps read and write its tables (API keys: mint, revoke, never delete; tables
   * later migrations add follow at the next run), except the audit log, which only its writer role reaches, to read
   * and append.
   */
  async grantPlatform(platformSchema: string): Promise<void> {
    const schema = this.id(platformSchema);
    const [group, writer] = [this.id(APP_GROUP_ROLE), this.id(AUDIT_WRITER_ROLE)];
    await this.client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${writer}, ${group}`);
    await this.client.query(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA ${schema} TO ${group}`);
    await this.client.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${group}`);
    await this.client.query(`REVOKE ALL ON ${schema}."audit_log" FROM PUBLIC, ${group}`);
    await this.client.query(`REVOKE ALL ON SEQUENCE ${schema}."audit_log_id_seq" FROM PUBLIC, ${group}`);
    await this.client.query(`GRANT SELECT, INSERT ON ${schema}."audit_log" TO ${writer}`);
    await this.client.query(`GRANT USAGE ON SEQUENCE ${schema}."audit_log_id_seq" TO ${writer}`);
    await this.client.query(`GRANT ${writer} TO ${group}`);
  }

  /** Hands the schema and everything in it to the role, and makes the role a member of the app group. */
  async giveSchema(schemaName: string, roleName: string): Promise<void> {
    const [schema, role] = [this.id(schemaName), this.id(roleName)];
    await this.client.query(`ALTER SCHEMA ${schema} OWNER TO ${role}`);
    for (const statement of await this.ownershipStatements(schemaName)) {
      await this.client.query(`${statement} OWNER TO ${role}`);
    }
    await this.client.query(`GRANT ${this.id(APP_GROUP_ROLE)} TO ${role}`);
  }

  /** `ALTER … <object>` for each table, view, free-standing sequence, type and function of the schema. */
  private async ownershipStatements(schema: string): Promise<string[]> {
    const found = await this.client.query<{ statement: string }>(
      `SELECT format('ALTER %s %I.%I',
                CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                  WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                n.nspname, c.relname) AS statement
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND NOT (c.relkind = 'S' AND EXISTS (
                SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                   AND d.deptype IN ('a', 'i')))
       UNION ALL
       SELECT format('ALTER TYPE %I.%I', n.nspname, t.typname)
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = $1 AND t.typtype IN ('e', 'd', 'r')
       UNION ALL
       SELECT format('ALTER ROUTINE %s', p.oid::regprocedure)
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = $1`,
      [schema],
    );
    return found.rows.map((row) => row.statement);
  }
}
