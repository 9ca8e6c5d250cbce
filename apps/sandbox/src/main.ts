import 'reflect-metadata';
import { bootstrapHttpApp } from '@revline/http';
import { SANDBOXES } from './app.info';

for (const { module, spec } of SANDBOXES) void bootstrapHttpApp(module, spec);
