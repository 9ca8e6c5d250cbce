import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

/** What a reconciliation run may be limited to: one contract or one billing customer (not both). */
export class RunSubjectDto {
  @ApiPropertyOptional({
    example: '801Dn00000Booking1',
    description: 'Compare this contract only (its breaks alone are opened and closed); not with customerId',
  })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  contractId?: string;

  @ApiPropertyOptional({
    example: 'cus_NffrFeUfNV2Hib',
    description: "Compare this billing customer's records only; not with contractId",
  })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  customerId?: string;
}
