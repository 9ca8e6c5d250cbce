import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { PROBLEM_SCHEMA } from './problem-responses';

export interface ApiDocSpec {
  title: string;
  description: string;
  version?: string;
  tags?: Array<{ name: string; description: string }>;
}

/** The app's OpenAPI document: operationId = method name, the bearer-key scheme, tags with descriptions. */
export function buildOpenApiDocument(app: INestApplication, spec: ApiDocSpec): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(spec.title)
    .setDescription(spec.description)
    .setVersion(spec.version ?? '1.0')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'API key',
        description: 'An API key: `Authorization: Bearer rvl_…`',
      },
      'api-key',
    );
  for (const tag of spec.tags ?? []) builder.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
  });
  return withProblemResponses(document);
}

/** Every error response is described as problem+json, and every operation that takes a body documents its 400. */
function withProblemResponses(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ProblemDetails: PROBLEM_SCHEMA },
  };
  for (const path of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = path[method];
      if (!operation) continue;
      if (operation.requestBody && !('400' in operation.responses)) {
        operation.responses['400'] = {
          description: 'Invalid input: the errors list names each field and its problem',
        };
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400 && response && 'description' in response && !response.content) {
          response.content = {
            'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } },
          };
        }
      }
    }
  }
  return document;
}

export function serveSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    customSiteTitle: document.info.title,
    swaggerOptions: { persistAuthorization: true, displayOperationId: true },
  });
}
