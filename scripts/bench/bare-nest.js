// Baseline for the cold-start scenario: a bare Nest + Fastify app with one health route.
'use strict';
require('reflect-metadata');
const { Module, Controller, Get } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');

class HealthController {
  health() {
    return { status: 'ok' };
  }
}
Controller('health')(HealthController);
Get()(HealthController.prototype, 'health', Object.getOwnPropertyDescriptor(HealthController.prototype, 'health'));
class AppModule {}
Module({ controllers: [HealthController] })(AppModule);

NestFactory.create(AppModule, new FastifyAdapter(), { logger: false })
  .then((app) => app.listen(Number(process.env.PORT), '127.0.0.1'))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
