import { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document of every Nest route (admin, proxy, unified), with bearer auth. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Planhat gateway')
    .setDescription(
      'Self-hostable gateway for Planhat: admin API (API tokens, integrated accounts, MCP servers), native proxy and unified CRM/ticketing API. ' +
        'Authenticate with `Authorization: Bearer <api token>` (ADMIN_API_KEY or a token from POST /api-token). Errors: `{statusCode, error, message, hint?, details?, remote?}`.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      // API tokens are opaque random strings, not JWTs: DocumentBuilder's default `bearerFormat: 'JWT'` is dropped.
      bearerFormat: undefined,
      description: 'Opaque API token: ADMIN_API_KEY or a token from POST /api-token (not a JWT)',
    })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Swagger UI at /docs and the JSON at /docs-json (both public: they are served outside Nest's guards).
 * The document is built on the first request for it (SwaggerModule caches it), not at start.
 */
export function setupSwagger(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}

/** The committed form of the document (`npm run openapi` writes it to openapi.json): stable, pretty-printed. */
export function openApiJson(app: INestApplication): string {
  return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
}
