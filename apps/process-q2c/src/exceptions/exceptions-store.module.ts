import { Global, Module } from '@nestjs/common';
import { ExceptionResolutions } from '../shared/exception-resolutions';
import { ExceptionsRepository } from './exceptions.repository';

/**
 * The exceptions table's writes for the whole app: global, so that the folders below the exceptions workbench in
 * the layers (sagas, revenue runs, normalisation) close exceptions through ExceptionResolutions without importing
 * this folder.
 */
@Global()
@Module({
  providers: [ExceptionsRepository, { provide: ExceptionResolutions, useExisting: ExceptionsRepository }],
  exports: [ExceptionResolutions],
})
export class ExceptionsStoreModule {}
