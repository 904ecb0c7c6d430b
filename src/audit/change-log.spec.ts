import { changedFields } from './change-log.service';

describe('changedFields', () => {
  it('lists the fields of the after-image that differ, custom one level down, system fields aside', () => {
    const before = { _id: 'a', name: 'Acme', phase: 'Onboarding', updatedAt: '1', custom: { Tier: 'Gold', Seats: 3 } };
    const after = {
      _id: 'a',
      name: 'Acme',
      phase: 'Adopting',
      updatedAt: '2',
      custom: { Tier: 'Gold', Seats: 4, New: 'x' },
    };
    expect(changedFields(before, after)).toEqual(['phase', 'custom.Seats', 'custom.New']);
  });

  it('ignores fields the after-image leaves out, and counts a field that appears', () => {
    expect(changedFields({ name: 'Acme', phase: 'Onboarding' }, { phase: 'Onboarding' })).toEqual([]);
    expect(changedFields({ name: 'Acme' }, { name: 'Acme', status: 'customer' })).toEqual(['status']);
    expect(changedFields({ custom: { A: 1 } }, { custom: null })).toEqual(['custom']);
  });
});
