import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthenticatedRequest } from './api-key.guard';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-keys.dto';
import { ApiKeys } from './api-keys.service';
import { Roles } from './decorators';

@ApiTags('api-keys')
@Roles('integration.admin')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeys) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description: 'The key is returned once; only its hash is stored.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async createApiKey(
    @Body() body: CreateApiKeyDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<CreatedApiKeyDto> {
    const { key, summary } = await this.keys.create(body.name, body.roles, actorOf(request));
    return { key, apiKey: summary };
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (never the keys themselves)' })
  @ApiOkResponse({ type: ApiKeyDto, isArray: true })
  listApiKeys(): Promise<ApiKeyDto[]> {
    return this.keys.list();
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key; it stops working at once' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ description: 'No key with that id' })
  revokeApiKey(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<ApiKeyDto> {
    return this.keys.revoke(id, actorOf(request));
  }
}

export function actorOf(request: AuthenticatedRequest): string {
  return request.principal ? `api-key:${request.principal.keyId} (${request.principal.name})` : 'anonymous';
}
