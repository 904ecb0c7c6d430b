import { AppConfig } from '../config/app-config';
import { databaseOptions } from './database.module';
import { MIGRATIONS } from './migrations';

const cfg = (database: AppConfig['database']) => Object.assign(new AppConfig(), { database });

describe('databaseOptions', () => {
  it('SQLite: the file path, WAL, migrations as classes, no synchronize', () => {
    const o = databaseOptions(cfg({ type: 'sqlite', path: '/tmp/x.sqlite' })) as Record<string, unknown>;
    expect(o).toMatchObject({
      type: 'sqlite',
      database: '/tmp/x.sqlite',
      enableWAL: true,
      synchronize: false,
      migrationsRun: true,
    });
    expect(o.migrations).toBe(MIGRATIONS);
    expect(MIGRATIONS.every((m) => typeof m === 'function')).toBe(true);
  });

  it('PostgreSQL: the URL, same migrations', () => {
    const o = databaseOptions(cfg({ type: 'postgres', url: 'postgres://u:p@db/gw' })) as Record<string, unknown>;
    expect(o).toMatchObject({ type: 'postgres', url: 'postgres://u:p@db/gw', synchronize: false, migrationsRun: true });
    expect(o).not.toHaveProperty('database');
  });
});
