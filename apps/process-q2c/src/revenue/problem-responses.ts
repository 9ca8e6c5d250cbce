import { applyDecorators } from '@nestjs/common';
import { ApiProblem, MISSING_ROLE_PROBLEM, missingRoleDetail } from '@revline/http';

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
    ApiProblem(400, badRequest.description, badRequest.example),
    ApiProblem(
      401,
      'No API key, or an unknown or revoked one',
      example(401, 'Unauthorized', 'A valid API key is required', instance),
    ),
    ApiProblem(403, `The key lacks the role ${role} (or a role that implies it)`, {
      ...example(403, 'Forbidden', missingRoleDetail([role]), instance),
      type: MISSING_ROLE_PROBLEM,
      requiredRoles: role,
    }),
  );
}
