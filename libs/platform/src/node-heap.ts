/**
 * The V8 heap flags every Revline app runs with (`npm start`, docker-compose's NODE_OPTIONS, the e2e stack), for
 * Revline's budget of ≤ 250 MB resident under load. Without a limit V8 sizes the old generation from the machine's
 * memory and lets garbage pile up under load: 280–290 MB resident in the q2c-e2e bench, against about 180–195 MB
 * with these flags. The semi-spaces are set back to V8's 16 MB, which a smaller old-generation limit would otherwise
 * shrink (more scavenges: about 10 % more CPU per contract change).
 */
export const APP_NODE_ARGS: readonly string[] = ['--max-old-space-size=256', '--max-semi-space-size=16'];

/** The Node flags an app starts with: APP_NODE_ARGS, but none for the sandbox, which holds vendor accounts in memory. */
export function nodeArgsFor(app: string): readonly string[] {
  return app === 'sandbox' ? [] : APP_NODE_ARGS;
}
