import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiKeys, authenticateRequest, Public } from '@revline/auth';
import { ApiProblem, problemExample } from '@revline/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleSessions, CSRF_PROBLEM } from './console-sessions';
import { SessionDto, SignInDto } from './session.dto';

const NOT_SIGNED_IN = problemExample(
  401,
  'The console session has ended (signed out, expired, or its API key was revoked): sign in again',
  '/v1/session',
);

@ApiTags('session')
@Controller('v1/session')
export class SessionController {
  constructor(
    private readonly keys: ApiKeys,
    private readonly sessions: ConsoleSessions,
  ) {}

  @Post()
  @Public()
  @ApiOperation({
    summary: 'Sign in to the finance console with an API key',
    description:
      'Checks the key once and opens a session: the `revline_session` cookie (HttpOnly, Secure, SameSite=Strict, `Max-Age` CONSOLE_SESSION_TTL_SECONDS) then authenticates every route as the key would, with its roles. Writes made with the cookie must send the returned `csrfToken` in `x-csrf-token`. The session ends when signed out, when it expires, or when its key is revoked. A wrong or revoked key counts against the unauthenticated rate limit.',
  })
  @ApiCreatedResponse({ type: SessionDto, headers: { 'set-cookie': { description: 'revline_session=…' } } })
  @ApiProblem(
    401,
    'The key is unknown or revoked',
    problemExample(401, 'The API key is unknown or has been revoked', '/v1/session'),
  )
  @ApiProblem(
    400,
    'No apiKey in the body',
    problemExample(400, 'apiKey must be a string', '/v1/session', {
      errors: [{ field: 'apiKey', problem: 'apiKey must be a string' }],
    }),
  )
  async signIn(
    @Body() body: SignInDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionDto> {
    request.headers.authorization = `Bearer ${body.apiKey.trim()}`;
    const principal = await authenticateRequest(this.keys, request);
    return this.sessions.open(principal, reply);
  }

  @Get()
  @Public()
  @ApiOperation({
    summary: "The console session of the request's cookie",
    description:
      'What the signed-in console needs: the key, its roles (granted and implied), the CSRF token and when the session expires. 401 when there is no live session.',
  })
  @ApiOkResponse({ type: SessionDto })
  @ApiProblem(401, 'No session cookie, or the session has ended', NOT_SIGNED_IN)
  current(@Req() request: FastifyRequest): Promise<SessionDto> {
    return this.sessions.current(request);
  }

  @Delete()
  @Public()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Sign out: end the console session',
    description:
      "Ends the session in the database (its cookie no longer authenticates anywhere) and clears the cookie. Needs the session's CSRF token in `x-csrf-token`; without a live session it only clears the cookie.",
  })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiProblem(
    403,
    'The CSRF token is missing or wrong',
    problemExample(
      403,
      "A write with the console session must carry the session's CSRF token in the x-csrf-token header (GET /v1/session returns it)",
      '/v1/session',
      { type: CSRF_PROBLEM },
    ),
  )
  async signOut(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.sessions.close(request, reply);
  }
}
