import { Module } from '@nestjs/common';
import { PlatformModule } from '@revline/platform';
import { DATABASE } from './database';

@Module({
  imports: [
    PlatformModule.forApp({
      database: DATABASE,
      auth: {},
      messaging: { consumes: [] },
    }),
  ],
})
export class AppModule {}
