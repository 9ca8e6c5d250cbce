import { Injectable } from '@nestjs/common';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { DomainError } from '@revline/http';
import { isUUID } from 'class-validator';

function invalid(metadata: ArgumentMetadata, value: string, problem: string): DomainError {
  const field = metadata.data ?? '(path)';
  return new DomainError(400, `${field} ${problem}, was "${value}"`, [{ field, problem }]);
}

/** A path parameter that must be a UUID; a 400 names the parameter. */
@Injectable()
export class UuidParam implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!isUUID(value)) throw invalid(metadata, value, 'must be a UUID');
    return value;
  }
}

/** A path parameter that must be a whole number; a 400 names the parameter. */
@Injectable()
export class IntParam implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    if (!/^-?\d{1,15}$/.test(value)) throw invalid(metadata, value, 'must be a whole number');
    return Number(value);
  }
}

/** An optional query parameter that must be a whole number when given; a 400 names the parameter. */
@Injectable()
export class OptionalIntParam implements PipeTransform<string | undefined, number | undefined> {
  private readonly int = new IntParam();

  transform(value: string | undefined, metadata: ArgumentMetadata): number | undefined {
    return value === undefined ? undefined : this.int.transform(value, metadata);
  }
}
