import { Module } from '@nestjs/common';
import { NetSuiteModule } from '../netsuite/netsuite.module';
import { ErpCommandRunner } from './erp-command-runner';
import { ErpCustomers } from './erp-customers.repository';
import { PostCreditMemoHandler } from './post-credit-memo.handler';
import { PostInvoiceHandler } from './post-invoice.handler';
import { PostPaymentHandler } from './post-payment.handler';
import { PostPeriodJournalHandler } from './post-period-journal.handler';
import { PostRevenueJournalHandler } from './post-revenue-journal.handler';
import { PostRevenueHandler } from './post-revenue.handler';
import { RevenueKeyLock } from './revenue-key-lock';
import { RevenueRecords } from './revenue-records';
import { UpsertCustomerHandler } from './upsert-customer.handler';
import { UpsertRevenueScheduleHandler } from './upsert-revenue-schedule.handler';
import { VoidInvoiceHandler } from './void-invoice.handler';

/** The handlers of every `erp.commands` job, each answering with `erp.posted` or `erp.rejected`. */
@Module({
  imports: [NetSuiteModule],
  providers: [
    ErpCommandRunner,
    ErpCustomers,
    RevenueKeyLock,
    RevenueRecords,
    UpsertCustomerHandler,
    PostInvoiceHandler,
    PostCreditMemoHandler,
    VoidInvoiceHandler,
    PostPaymentHandler,
    UpsertRevenueScheduleHandler,
    PostRevenueJournalHandler,
    PostRevenueHandler,
    PostPeriodJournalHandler,
  ],
})
export class PostingsModule {}
