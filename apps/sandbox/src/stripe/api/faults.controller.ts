import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import type { FaultSettings } from '../http/faults';
import { Faults } from '../http/faults';
import { WebhookDispatcher } from '../webhooks/dispatcher';

class FailNextDto {
  @ApiProperty({ example: 2 })
  @IsInt()
  @Min(0)
  count: number;

  @ApiProperty({ example: 500, enum: [429, 500, 503] })
  @IsIn([429, 500, 503])
  status: 429 | 500 | 503;
}

export class FaultSettingsDto {
  @ApiPropertyOptional({
    example: 0,
    description: 'Delay added to every API answer, after it took effect (ms)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120_000)
  latencyMs?: number;

  @ApiPropertyOptional({ example: 0.1, description: 'Share of API requests refused with 429' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  rate429?: number;

  @ApiPropertyOptional({ example: 0.05, description: 'Share of API requests failing with 500' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  rate5xx?: number;

  @ApiPropertyOptional({ type: FailNextDto, description: 'The next N API requests fail with this status' })
  @IsOptional()
  @ValidateNested()
  @Type(() => FailNextDto)
  failNext?: FailNextDto;

  @ApiPropertyOptional({ example: 0.2, description: 'Share of webhook deliveries dropped' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  webhookDropRate?: number;

  @ApiPropertyOptional({ example: 0.2, description: 'Share of webhook deliveries sent twice' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  webhookDuplicateRate?: number;

  @ApiPropertyOptional({
    example: 200,
    description: 'Hold deliveries this long and send them newest first (ms)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  webhookReorderWindowMs?: number;

  @ApiPropertyOptional({ example: 1, description: 'Drop the next N webhook deliveries' })
  @IsOptional()
  @IsInt()
  @Min(0)
  dropNextWebhooks?: number;

  @ApiPropertyOptional({ example: 1, description: 'Send the next N webhook deliveries twice' })
  @IsOptional()
  @IsInt()
  @Min(0)
  duplicateNextWebhooks?: number;

  @ApiPropertyOptional({ example: 3, description: 'Send every webhook delivery this many times (1: once)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  webhookCopies?: number;

  @ApiPropertyOptional({
    example: 0.3,
    description: 'Share of POST requests that take effect and whose answer is lost (the connection is cut)',
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  answerLostRate?: number;

  @ApiPropertyOptional({ example: true, description: 'The account has no Sigma: query runs are refused' })
  @IsOptional()
  @IsBoolean()
  sigmaDisabled?: boolean;
}

/** The fault switches: how the sandbox misbehaves on purpose. No Stripe key needed; it is not a Stripe route. */
@ApiTags('faults')
@Controller('sandbox')
export class FaultsController {
  constructor(
    private readonly faults: Faults,
    private readonly webhooks: WebhookDispatcher,
  ) {}

  @Get('faults')
  @ApiOperation({ summary: 'The fault switches in force' })
  @ApiOkResponse({ type: FaultSettingsDto })
  readFaults(): FaultSettings {
    return this.faults.settings;
  }

  @Post('faults')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sets some fault switches; the others keep their values' })
  @ApiOkResponse({ type: FaultSettingsDto })
  setFaults(@Body() body: FaultSettingsDto): FaultSettings {
    return this.faults.set(body);
  }

  @Delete('faults')
  @ApiOperation({ summary: 'Turns every fault off' })
  @ApiOkResponse({ type: FaultSettingsDto })
  resetFaults(): FaultSettings {
    return this.faults.reset();
  }

  @Get('webhooks')
  @ApiOperation({ summary: 'Webhook delivery status: delivered so far, and whether any are still pending' })
  @ApiOkResponse({ description: '{ delivered, idle }' })
  webhookStatus(): { delivered: number; idle: boolean } {
    return { delivered: this.webhooks.delivered, idle: this.webhooks.idle() };
  }
}
