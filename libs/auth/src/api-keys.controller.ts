import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthenticatedRequest } from './api-key.guard';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-keys.dto';
import type { Principal } from './api-keys.service';
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
    description:
      "The key is returned once; only its hash is stored. It belongs to `owner` (a person or a service); without one it is the minting key's owner's. Maker-checker compares owners, and counts the owners up the minting chain (`mintedByOwners`) as the same person: a key minted for someone else can never check what its minter made.",
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async createApiKey(
    @Body() body: CreateApiKeyDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<CreatedApiKeyDto> {
    const { key, summary } = await this.keys.create(body, principalOf(request), actorOf(request));
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

/** The authenticated key of a request; the guard has set it on every route that is not public. */
export function principalOf(request: AuthenticatedRequest): Principal {
  if (!request.principal) throw new UnauthorizedException('An API key is required');
  return request.principal;
}

/** Who acts, for the audit log: the key, and the service key that carried the request for it, if one did. */
export function actorOf(request: AuthenticatedRequest): string {
  if (!request.principal) return 'anonymous';
  const actor = `api-key:${request.principal.keyId} (${request.principal.name})`;
  const carrier = request.carriedBy;
  return carrier ? `${actor} via api-key:${carrier.keyId} (${carrier.name})` : actor;
}
