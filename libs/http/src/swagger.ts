import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

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
      { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer rvl_…`' },
      'api-key',
    );
  for (const tag of spec.tags ?? []) builder.addTag(tag.name, tag.description);
  return SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
  });
}

export function serveSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    customSiteTitle: document.info.title,
    swaggerOptions: { persistAuthorization: true, displayOperationId: true },
  });
}
