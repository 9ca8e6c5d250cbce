import { applyDecorators } from '@nestjs/common';
import { ApiAuthProblems, ApiProblem, problemExample } from '@revline/http';

/** 401 and 403 for a route that needs `role`, and the 502/503 every route calling process-q2c may answer. */
export function ApiCommonProblems(role: string, instance: string): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiAuthProblems(role, instance),
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
