import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { MappingsModule } from '../mappings/mappings.module';
import { OrderLookups } from './order-lookups';
import { OrdersController } from './orders.controller';
import { ValidateOrder } from './validate-order.usecase';

/** POST /v1/orders/validate: the policy checks of normalisation, synchronous and side-effect free. */
@Module({
  imports: [MappingsModule, EventsModule],
  controllers: [OrdersController],
  providers: [ValidateOrder, OrderLookups],
})
export class ValidationModule {}
