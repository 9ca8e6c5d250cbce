import { applyDecorators, createParamDecorator, HttpCode, Post } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { parse } from 'qs';

export const QS_OPTIONS = { depth: 10, arrayLimit: 1000, parameterLimit: 10_000 };

/** The query string parsed with Stripe's bracket notation (`expand[0]=…`, `created[gte]=…`). */
export const StripeQuery = createParamDecorator((_data: unknown, context: ExecutionContext): unknown => {
  const request = context.switchToHttp().getRequest<{ url: string }>();
  const index = request.url.indexOf('?');
  return index === -1 ? {} : parse(request.url.slice(index + 1), QS_OPTIONS);
});

/** Stripe answers every successful POST, creates included, with 200. */
export const StripePost = (path: string): MethodDecorator => applyDecorators(Post(path), HttpCode(200));
