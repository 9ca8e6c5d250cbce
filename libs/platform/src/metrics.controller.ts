import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { MetricsService } from '@revline/observability';
import type { FastifyReply } from 'fastify';

@ApiTags('platform')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Roles('finance.viewer')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics of this app' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format' })
  async scrapeMetrics(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    await reply.header('content-type', contentType).send(body);
  }
}
