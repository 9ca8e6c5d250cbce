import { ApiProperty } from '@nestjs/swagger';
import type { Role } from '@revline/auth';
import { ROLES } from '@revline/auth';
import { IsString, Length } from 'class-validator';
import type { SessionView } from './console-sessions';

export class SignInDto {
  @ApiProperty({
    example: 'rvl_3q1X…',
    description: 'The API key to sign in with; it is checked once and never stored by the session',
  })
  @IsString()
  @Length(1, 200)
  apiKey: string;
}

export class SessionDto implements SessionView {
  @ApiProperty({ format: 'uuid', description: 'The id of the key the session acts with' })
  keyId: string;

  @ApiProperty({ example: 'month-end close team' })
  name: string;

  @ApiProperty({ enum: ROLES, isArray: true, description: "The key's roles as granted" })
  roles: Role[];

  @ApiProperty({
    enum: ROLES,
    isArray: true,
    description: 'Every role the key holds, granted or implied: what the console may show',
  })
  effectiveRoles: Role[];

  @ApiProperty({ description: 'Send it in `x-csrf-token` with every write made with the session cookie' })
  csrfToken: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-31T17:00:00.000Z' })
  expiresAt: string;
}
