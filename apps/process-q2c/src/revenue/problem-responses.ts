import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '@revline/http';

/** RFC 9457 problem details as every Revline error answers (libs/http ProblemDetails). */
export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri', example: 'https://docs.revline.dev/problems/bad-request' },
    title: { type: 'string', example: 'Bad Request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path' },
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

function problemResponse(status: number, description: string, example: object): MethodDecorator {
  return ApiResponse({
    status,
    description,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_SCHEMA, example } },
  });
}

const example = (status: number, title: string, detail: string, instance: string): object => ({
  type: `https://docs.revline.dev/problems/${title.toLowerCase()}`,
  title,
  status,
  detail,
  instance,
  correlationId: '0b6f2c1e-7d4a-4c1f-9a51-3e0f6c2d8b10',
});

/** 400, 401 and 403 as problem+json, for a route that needs `role`. */
export function ApiProblemResponses(
  instance: string,
  badRequest: { description: string; example: object },
  role: string,
): MethodDecorator {
  return applyDecorators(
    problemResponse(400, badRequest.description, badRequest.example),
    problemResponse(
      401,
      'No API key, or an unknown or revoked one',
      example(401, 'Unauthorized', 'A valid API key is required', instance),
    ),
    problemResponse(
      403,
      `The key lacks the role ${role} (or a role that implies it)`,
      example(403, 'Forbidden', `This route needs the role ${role}`, instance),
    ),
  );
}
