import { BadRequestException, ValidationPipe } from '@nestjs/common';
import type { ArgumentMetadata } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; problem: string }> {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((problem) => ({ field, problem }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

const PLAIN_TYPES: unknown[] = [String, Boolean, Number, Array, Object];

/** A DTO body must be a JSON object: a list or a scalar is refused as the body, not as its indexes' fields. */
class RevlineValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.type === 'body' && metadata.metatype && !PLAIN_TYPES.includes(metadata.metatype);
    if (dto && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      const problem = `must be a JSON object, was ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`;
      throw new BadRequestException({
        message: `The body ${problem}`,
        errors: [{ field: '(body)', problem }],
      });
    }
    return super.transform(value, metadata);
  }
}

/** Whitelisting, rejection of unknown fields, and a 400 that lists every field and its problem. */
export function revlineValidationPipe(): ValidationPipe {
  return new RevlineValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    exceptionFactory: (errors) => {
      const list = flatten(errors);
      return new BadRequestException({ message: list.map((e) => e.problem).join('; '), errors: list });
    },
  });
}
