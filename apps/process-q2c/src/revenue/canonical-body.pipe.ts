import { Injectable } from '@nestjs/common';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { validate } from '@revline/canonical';
import { z } from 'zod';
import { invalidBody } from './revenue-problems';

/**
 * Validates a body against the zod schema given to `@Body({ schema, pipes: [CanonicalBodyPipe] })`:
 * unknown fields are rejected by the strict schemas, and every issue is listed with its field path
 * in a 400 problem+json. The same schema documents the body in OpenAPI.
 */
@Injectable()
export class CanonicalBodyPipe implements PipeTransform<unknown, unknown> {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const schema = metadata.schema;
    if (!(schema instanceof z.ZodType)) {
      throw new Error(`CanonicalBodyPipe needs a zod schema on the ${metadata.type} parameter`);
    }
    const result = validate(schema, value);
    if (!result.ok) {
      throw invalidBody(result.issues);
    }
    return result.value;
  }
}
