import { applyDecorators } from '@nestjs/common';
import { MISSING_ROLE_PROBLEM, missingRoleDetail, problem } from './problem';
import { ApiProblem } from './problem-responses';

/** A problem+json example as the API answers it, for Swagger. */
export function problemExample(status: number, detail: string, instance: string, extra: object = {}): object {
  return {
    ...problem(status, detail),
    instance,
    correlationId: '0b6f2c1e-7d4a-4c1f-9a51-3e0f6c2d8b10',
    ...extra,
  };
}

/** 401 and 403 as problem+json for a route that needs `role`. */
export function ApiAuthProblems(role: string, instance: string): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiProblem(
      401,
      'No API key, or an unknown or revoked one',
      problemExample(401, 'An API key is required: send "Authorization: Bearer <key>"', instance),
    ),
    ApiProblem(
      403,
      `The key lacks the role ${role} (or a role that implies it)`,
      problemExample(403, missingRoleDetail([role]), instance, {
        type: MISSING_ROLE_PROBLEM,
        requiredRoles: role,
      }),
    ),
  );
}
