import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findModel } from '../planhat/catalog';
import { createSandbox } from './index';

const companies = findModel('companies')!;

describe('SandboxPersistence', () => {
  it('saves a tenant the LRU evicts and restores it when its token comes back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-sbx-persist-'));
    const { store, persistence } = createSandbox({
      seedCompanies: 3,
      rateLimitPerMin: 0,
      faults: false,
      maxTenants: 1,
      persistDir: dir,
    });
    try {
      const a = store.tenant('token-a');
      const rec = a.create(companies, { name: 'Kept', externalId: 'kept-1' });
      store.tenant('token-b'); // evicts token-a, which is saved
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      expect(fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]), 'utf8')).not.toContain('token-a');
      const back = store.tenant('token-a');
      expect(back).not.toBe(a);
      expect(back.get(companies, 'extid-kept-1')._id).toBe(rec._id);
      expect(back.writes).toBe(1);
    } finally {
      persistence!.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores an unreadable or foreign snapshot (the tenant is seeded afresh)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-sbx-persist-'));
    const { store, persistence } = createSandbox({
      seedCompanies: 3,
      rateLimitPerMin: 0,
      faults: false,
      persistDir: dir,
    });
    try {
      const t = store.tenant('token-c');
      t.create(companies, { name: 'Lost', externalId: 'lost-1' });
      persistence!.saveAll();
      const file = path.join(
        dir,
        fs.readdirSync(dir).find((f) => f.endsWith('.json'))!,
      );
      fs.writeFileSync(file, '{not json');
      store.reset();
      expect(() => store.tenant('token-c').get(companies, 'extid-lost-1')).toThrow();
      expect(store.tenant('token-c').list(companies, {})).toHaveLength(3);
    } finally {
      persistence!.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
