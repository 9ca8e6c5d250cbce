import { Module } from '@nestjs/common';
import { ExceptionsController } from './exceptions.controller';
import { ExceptionsWorkbench } from './exceptions-workbench';

/** The exceptions workbench for finance users. */
@Module({ controllers: [ExceptionsController], providers: [ExceptionsWorkbench] })
export class ExceptionsModule {}
