import { Module } from '@nestjs/common';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { privateSqliteFile } from '../config/private-files';
import { MIGRATIONS } from './migrations';

/** TypeORM options from the typed config: SQLite (WAL, foreign keys on) or PostgreSQL (needs `pg`). */
export function databaseOptions(cfg: AppConfig): TypeOrmModuleOptions {
  const common = {
    autoLoadEntities: true,
    synchronize: false,
    migrationsRun: true,
    migrations: MIGRATIONS,
    logging: false,
  } as const;
  if (cfg.database.type === 'postgres') {
    return { ...common, type: 'postgres', url: cfg.database.url };
  }
  // TypeORM's sqlite driver runs `PRAGMA foreign_keys = ON` itself (cascades rely on it).
  return { ...common, type: 'sqlite', database: cfg.database.path, enableWAL: true, busyTimeout: 5000 };
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (cfg: AppConfig) => {
        // Created 0600 (and tightened) before SQLite opens it: SQLite itself would create it 0644.
        if (cfg.database.type === 'sqlite') privateSqliteFile(cfg.database.path);
        return databaseOptions(cfg);
      },
    }),
  ],
})
export class DatabaseModule {}
