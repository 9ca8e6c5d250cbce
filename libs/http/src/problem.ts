/** RFC 9457 problem details, as every Revline error answers. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  correlationId?: string;
  errors?: Array<{ field: string; problem: string }>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem type of a 403 for a key that lacks the route's role (a maker-checker refusal has its own). */
export const MISSING_ROLE_PROBLEM = 'https://docs.revline.dev/problems/missing-role';

/** The detail of a missing-role refusal: the role needed, never the roles the key holds. */
export function missingRoleDetail(required: readonly string[]): string {
  return `This action needs the role ${required.join(' or ')}, which this API key does not hold`;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function problemTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Request Error');
}

export function problem(status: number, detail: string, extra: Partial<ProblemDetails> = {}): ProblemDetails {
  const title = problemTitle(status);
  return {
    type: `https://docs.revline.dev/problems/${title.toLowerCase().replace(/[^a-z]+/g, '-')}`,
    title,
    status,
    detail,
    ...extra,
  };
}
