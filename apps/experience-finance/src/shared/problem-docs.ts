import { applyDecorators } from '@nestjs/common';
import { ApiProblem, problem } from '@revline/http';

/** A problem+json example as the experience API answers it. */
export function problemExample(status: number, detail: string, instance: string, extra: object = {}): object {
  return {
    ...problem(status, detail),
    instance,
    correlationId: '0b6f2c1e-7d4a-4c1f-9a51-3e0f6c2d8b10',
    ...extra,
  };
}

/** 401 and 403 for a route that needs `role`, and the 502/503 every route calling process-q2c may answer. */
export function ApiCommonProblems(role: string, instance: string): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiProblem(
      401,
      'No API key, or an unknown or revoked one',
      problemExample(401, 'An API key is required: send "Authorization: Bearer <key>"', instance),
    ),
    ApiProblem(
      403,
      `The key lacks the role ${role} (or a role that implies it)`,
      problemExample(
        403,
        `This action needs the role ${role}; the key "reporting" has finance.viewer`,
        instance,
      ),
    ),
    ApiProblem(
      502,
      'process-q2c failed, refused the service key, or does not offer the route',
      problemExample(502, `process-q2c failed on ${instance}: An unexpected error occurred.`, instance),
    ),
    ApiProblem(
      503,
      'process-q2c cannot be reached or did not answer in time (reads are retried first)',
      problemExample(503, 'process-q2c cannot be reached at http://127.0.0.1:3001 (ECONNREFUSED)', instance),
    ),
  );
}

/** A 400 with the invalid field named. */
export function ApiBadRequest(
  detail: string,
  field: string,
  instance: string,
): MethodDecorator & ClassDecorator {
  return ApiProblem(
    400,
    'A parameter is invalid: the errors list names each one',
    problemExample(400, detail, instance, { errors: [{ field, problem: detail }] }),
  );
}
