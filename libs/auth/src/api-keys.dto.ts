import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import type { ApiKeySummary } from './api-keys.service';
import { ROLES } from './roles';
import type { Role } from './roles';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'month-end close team', description: 'Who or what the key is for' })
  @IsString()
  @Length(1, 100)
  @Matches(/^[\w .@-]+$/, { message: 'name may hold letters, digits, spaces and . @ - _' })
  name: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['finance.operator'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles: Role[];

  @ApiPropertyOptional({
    example: 'person:carol@example.com',
    description:
      "The person (their id) or service the key acts for; the minting key's owner when absent. Maker-checker compares owners. `service:` owners belong to the apps' configured service keys and cannot be minted.",
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(/^[\w .@:+-]+$/, { message: 'owner may hold letters, digits, spaces and . @ : + - _' })
  @Matches(/^(?!service:)/, { message: 'owner may not start with service: (the apps’ own service keys)' })
  owner?: string;
}

export class ApiKeyDto implements ApiKeySummary {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'month-end close team' }) name: string;
  @ApiProperty({ example: 'rvl_Ab3d', description: 'The first characters of the key' }) prefix: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: Role[];
  @ApiProperty({ example: 'bootstrap admin' }) createdBy: string;
  @ApiProperty({ example: 'person:carol@example.com', description: 'The person or service the key acts for' })
  owner: string;
  @ApiProperty({
    type: String,
    isArray: true,
    example: ['bootstrap-admin'],
    description: 'The owners of the keys that minted this one: for maker-checker they count as its owner',
  })
  mintedByOwners: string[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt: string | null;
}

export class CreatedApiKeyDto {
  @ApiProperty({
    description: 'The key itself. It is shown this once and cannot be read again.',
    example: 'rvl_…',
  })
  key: string;

  @ApiProperty({ type: ApiKeyDto })
  apiKey: ApiKeyDto;
}
