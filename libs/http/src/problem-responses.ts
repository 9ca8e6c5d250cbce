import { ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem';

/** RFC 9457 problem details as every Revline error answers; the `ProblemDetails` component of every document. */
export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details: every error Revline answers has this shape.',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri', example: 'https://docs.revline.dev/problems/bad-request' },
    title: { type: 'string', example: 'Bad Request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'property isAdmin should not exist' },
    instance: { type: 'string', description: 'The request path', example: '/v1/api-keys' },
    correlationId: { type: 'string', description: 'Quote it when reporting a problem' },
    errors: {
      type: 'array',
      description: 'One entry per invalid field',
      items: {
        type: 'object',
        required: ['field', 'problem'],
        properties: {
          field: {
            type: 'string',
            description: 'Path of the field in the request body; "(body)" for the body itself',
            example: 'contract.lines[0].quantity',
          },
          problem: { type: 'string', example: 'must be a non-negative decimal string such as "15"' },
        },
      },
    },
  },
};

/** Documents one error response as problem+json, with an example. */
export function ApiProblem(
  status: number,
  description: string,
  example?: object,
): MethodDecorator & ClassDecorator {
  return ApiResponse({
    status,
    description,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { $ref: '#/components/schemas/ProblemDetails' },
        ...(example ? { example } : {}),
      },
    },
  });
}
