import type { DynamicModule, Provider } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { ConfigClass } from './load-config';
import { loadConfig } from './load-config';

/**
 * Registers each config namespace as an injectable singleton, validated when the module is built:
 * a bad variable stops the app before anything connects.
 */
@Module({})
export class RevlineConfigModule {
  static forRoot(namespaces: ConfigClass<object>[]): DynamicModule {
    const providers: Provider[] = namespaces.map((cls) => ({
      provide: cls,
      useFactory: () => loadConfig(cls),
    }));
    return { module: RevlineConfigModule, global: true, providers, exports: providers };
  }
}
