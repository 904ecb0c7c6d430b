import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { AppConfig, loadConfig } from './app-config';

/**
 * Parses the environment once (validated, typed) and provides AppConfig everywhere. Built on
 * @nestjs/config so ConfigService also sees the parsed values; tests pass their own env.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(env: Record<string, string | undefined> = process.env, config?: AppConfig): DynamicModule {
    const cfg = config ?? loadConfig(env);
    return {
      module: AppConfigModule,
      imports: [NestConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [() => ({ app: cfg })] })],
      providers: [{ provide: AppConfig, useValue: cfg }],
      exports: [AppConfig],
    };
  }
}
