import { Injectable, ParseIntPipe, ParseUUIDPipe } from '@nestjs/common';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { DomainError } from '@revline/http';

function invalid(metadata: ArgumentMetadata, value: string, problem: string): DomainError {
  const field = metadata.data ?? '(path)';
  return new DomainError(400, `${field} ${problem}, was "${value}"`, [{ field, problem }]);
}

/** A path parameter that must be a UUID; a 400 names the parameter. */
@Injectable()
export class UuidParam implements PipeTransform<string, Promise<string>> {
  private readonly inner = new ParseUUIDPipe();

  async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    try {
      return await this.inner.transform(value, metadata);
    } catch {
      throw invalid(metadata, value, 'must be a UUID');
    }
  }
}

/** A path parameter that must be a whole number; a 400 names the parameter. */
@Injectable()
export class IntParam implements PipeTransform<string, Promise<number>> {
  private readonly inner = new ParseIntPipe();

  async transform(value: string, metadata: ArgumentMetadata): Promise<number> {
    try {
      return await this.inner.transform(value, metadata);
    } catch {
      throw invalid(metadata, value, 'must be a whole number');
    }
  }
}
