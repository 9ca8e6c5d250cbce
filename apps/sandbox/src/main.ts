import 'reflect-metadata';
import { bootstrapHttpApp } from '@revline/http';
import { SANDBOXES } from './app.info';

/**
 * Every vendor, or those `SANDBOX_VENDORS` names (`salesforce,stripe,netsuite`): a benchmark runs each vendor in a
 * process of its own, as they are separate services.
 */
const only = (process.env.SANDBOX_VENDORS ?? '')
  .split(',')
  .map((v) => v.trim())
  .filter(Boolean);
for (const { module, spec } of SANDBOXES)
  if (only.length === 0 || only.includes(spec.name.replace('sandbox-', '')))
    void bootstrapHttpApp(module, spec);
