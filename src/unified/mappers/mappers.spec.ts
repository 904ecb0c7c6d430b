import { accountMapper } from './accounts';
import { contactMapper } from './contacts';
import { engagementMapper } from './engagements';
import { fieldMapper } from './fields';
import { MAPPERS } from './index';
import { noteMapper } from './notes';
import { opportunityMapper } from './opportunities';
import { taskMapper } from './tasks';
import { normalizeTicketStatus, ticketMapper } from './tickets';
import { userMapper } from './users';
import { UNIFIED_RESOURCES } from '../unified-resources';

/** Golden tests: a Planhat record in, the exact unified JSON out; and unified bodies to Planhat. */

const NO_REMOTE = { includeRemoteData: false };

describe('accounts ← companies', () => {
  const company = {
    _id: '65a1f0c2e4b0a1b2c3d4e5f6',
    name: 'Acme Corp',
    description: 'Acme makes anvils.',
    industry: 'Manufacturing',
    web: 'https://www.acme.com',
    employees: 250,
    address: '1 Road Runner Way',
    city: 'Phoenix',
    zip: '85001',
    country: 'US',
    phonePrimary: '+1-555-0101',
    domains: ['acme.com'],
    tags: ['strategic'],
    owner: { id: '65a1f0c2e4b0a1b2c3d4e500', nickName: 'Sam' },
    custom: { Segment: 'Enterprise', Seats: 120 },
    lastActive: '2026-01-10T08:00:00.000Z',
    createDate: '2024-05-01T00:00:00.000Z',
    updatedAt: '2026-01-11T09:30:00.000Z',
    mrr: 5000,
  };

  it('toUnified', () => {
    expect(accountMapper.toUnified(company)).toEqual({
      id: '65a1f0c2e4b0a1b2c3d4e5f6',
      name: 'Acme Corp',
      description: 'Acme makes anvils.',
      industry: 'Manufacturing',
      website: 'https://www.acme.com',
      number_of_employees: 250,
      tags: ['strategic'],
      custom_fields: { Segment: 'Enterprise', Seats: 120 },
      last_activity_at: '2026-01-10T08:00:00.000Z',
      created_at: '2024-05-01T00:00:00.000Z',
      updated_at: '2026-01-11T09:30:00.000Z',
      addresses: [{ street_1: '1 Road Runner Way', city: 'Phoenix', postal_code: '85001', country: 'US', type: 'primary' }],
      phone_numbers: [{ number: '+1-555-0101', type: 'primary' }],
      urls: [
        { url: 'https://www.acme.com', type: 'website' },
        { url: 'acme.com', type: 'domain' },
      ],
      owner: { id: '65a1f0c2e4b0a1b2c3d4e500' },
      remote_data: company,
    });
  });

  it('owner as an id string (get) and empty addresses/phones', () => {
    expect(accountMapper.toUnified({ _id: 'x', name: 'Bare', owner: 'u1' }, NO_REMOTE)).toEqual({
      id: 'x',
      name: 'Bare',
      addresses: [],
      phone_numbers: [],
      urls: [],
      owner: { id: 'u1' },
    });
  });

  it('toNative', () => {
    expect(
      accountMapper.toNative({
        name: 'Acme Corp',
        website: 'https://www.acme.com',
        number_of_employees: 250,
        addresses: [{ street_1: '1 Road Runner Way', city: 'Phoenix', postal_code: '85001', country: 'US' }],
        phone_numbers: [{ number: '+1-555-0101' }],
        owner: { id: 'u1' },
        custom_fields: { Segment: 'SMB' },
        created_at: 'ignored: read-only',
        urls: [{ url: 'ignored' }],
      }),
    ).toEqual({
      name: 'Acme Corp',
      web: 'https://www.acme.com',
      employees: 250,
      custom: { Segment: 'SMB' },
      address: '1 Road Runner Way',
      city: 'Phoenix',
      zip: '85001',
      country: 'US',
      phonePrimary: '+1-555-0101',
      owner: 'u1',
    });
  });
});

describe('contacts ← endusers', () => {
  const enduser = {
    _id: 'eu1',
    companyId: 'c1',
    companyName: 'Acme Corp',
    email: 'ada@acme.com',
    otherEmails: ['ada@home.example'],
    firstName: 'Ada',
    lastName: 'Lovelace',
    name: 'Ada Lovelace',
    position: 'CTO',
    phone: '+1-555-0102',
    tags: ['decision-maker'],
    custom: { 'Role Type': 'Champion' },
    lastActive: '2026-01-09T00:00:00.000Z',
    createDate: '2025-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
  };

  it('toUnified', () => {
    expect(contactMapper.toUnified(enduser, NO_REMOTE)).toEqual({
      id: 'eu1',
      first_name: 'Ada',
      last_name: 'Lovelace',
      name: 'Ada Lovelace',
      title: 'CTO',
      tags: ['decision-maker'],
      custom_fields: { 'Role Type': 'Champion' },
      last_activity_at: '2026-01-09T00:00:00.000Z',
      created_at: '2025-01-01T00:00:00.000Z',
      updated_at: '2026-01-02T00:00:00.000Z',
      account: { id: 'c1' },
      email_addresses: [
        { email: 'ada@acme.com', type: 'primary' },
        { email: 'ada@home.example', type: 'other' },
      ],
      phone_numbers: [{ number: '+1-555-0102', type: 'primary' }],
    });
  });

  it('toNative: the email of type primary is the Planhat email, whatever its position', () => {
    expect(
      contactMapper.toNative({
        first_name: 'Ada',
        title: 'CTO',
        account: { id: 'c1' },
        email_addresses: [{ email: 'ada@home.example' }, { email: 'ada@acme.com', type: 'primary' }],
        phone_numbers: [{ number: '+1' }],
      }),
    ).toEqual({ firstName: 'Ada', position: 'CTO', companyId: 'c1', email: 'ada@acme.com', otherEmails: ['ada@home.example'], phone: '+1' });
  });
});

describe('tickets ← tickets', () => {
  const ticket = {
    _id: 't1',
    companyId: 'c1',
    companyName: 'Acme Corp',
    sourceId: 'ZD-10001',
    email: 'ada@acme.com',
    title: 'Cannot log in',
    description: 'Customer reported an issue.',
    url: 'https://support.example.com/tickets/10001',
    tags: ['bug'],
    type: 'incident',
    severity: 'urgent',
    status: 'solved',
    timeSpent: 30,
    source: 'zendesk',
    users: [{ id: 'u1', name: 'Sam Agent' }],
    custom: {},
    createDate: '2026-01-01T00:00:00.000Z',
    updateDate: '2026-01-03T00:00:00.000Z',
  };

  it('toUnified: status normalised, raw kept in status.name', () => {
    expect(ticketMapper.toUnified(ticket)).toEqual({
      id: 't1',
      name: 'Cannot log in',
      description: 'Customer reported an issue.',
      priority: 'urgent',
      ticket_type: 'incident',
      tags: ['bug'],
      ticket_url: 'https://support.example.com/tickets/10001',
      custom_fields: {},
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-03T00:00:00.000Z',
      status: { id: 'closed', name: 'solved' },
      account: { id: 'c1' },
      contact: { email: 'ada@acme.com' },
      assignees: [{ id: 'u1' }],
      remote_data: ticket,
    });
  });

  it.each([
    ['open', 'open'],
    ['New', 'open'],
    ['pending', 'pending'],
    ['hold', 'on_hold'],
    ['solved', 'closed'],
    ['closed', 'closed'],
    ['something else', 'open'],
    [undefined, 'open'],
  ])('status %s → %s', (raw, unified) => {
    expect(normalizeTicketStatus(raw)).toBe(unified);
  });

  it('toNative: status.id → raw status, status.name wins; contact.email → email', () => {
    expect(
      ticketMapper.toNative({ name: 'Help', status: { id: 'on_hold' }, account: { id: 'c1' }, contact: { email: 'a@b.c' }, priority: 'low', ticket_type: 'question' }),
    ).toEqual({ title: 'Help', severity: 'low', type: 'question', status: 'hold', companyId: 'c1', email: 'a@b.c' });
    expect(ticketMapper.toNative({ status: { id: 'closed', name: 'solved' } })).toEqual({ status: 'solved' });
  });
});

describe('users ← users', () => {
  const user = {
    _id: 'u1',
    firstName: 'Sam',
    lastName: 'Agent',
    nickName: 'Sam',
    email: 'sam@northstar-cs.io',
    roles: ['csm'],
    teams: ['CS East'],
    inactive: false,
    custom: {},
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
  it('toUnified', () => {
    expect(userMapper.toUnified(user, NO_REMOTE)).toEqual({
      id: 'u1',
      first_name: 'Sam',
      last_name: 'Agent',
      username: 'Sam',
      email: 'sam@northstar-cs.io',
      custom_fields: {},
      created_at: '2024-01-01T00:00:00.000Z',
      updated_at: '2025-01-01T00:00:00.000Z',
      name: 'Sam Agent',
      is_active: true,
      roles: [{ id: 'csm', name: 'csm' }],
      teams: [{ id: 'CS East', name: 'CS East' }],
    });
  });
  it('toNative and create defaults (nickName from first name)', () => {
    const native = userMapper.toNative({ first_name: 'Sam', last_name: 'Agent', email: 's@x.io', is_active: false });
    expect(native).toEqual({ firstName: 'Sam', lastName: 'Agent', email: 's@x.io', inactive: true });
    expect(userMapper.createDefaults!(native)).toEqual({ ...native, nickName: 'Sam' });
  });
});

describe('opportunities ← opportunities', () => {
  const opp = {
    _id: 'o1',
    companyId: 'c1',
    title: 'Acme Expansion',
    salesStage: 'Proposal',
    status: 'active',
    closeDate: '2026-03-01T00:00:00.000Z',
    _currency: 'USD',
    ownerId: 'u1',
    mrr: 1000,
    arr: 12000,
    custom: { 'Lead Source': 'Inbound' },
    createdAt: '2025-12-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  it('toUnified', () => {
    expect(opportunityMapper.toUnified(opp, NO_REMOTE)).toEqual({
      id: 'o1',
      name: 'Acme Expansion',
      amount: 12000,
      currency: 'USD',
      close_date: '2026-03-01T00:00:00.000Z',
      custom_fields: { 'Lead Source': 'Inbound' },
      created_at: '2025-12-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      stage: { id: 'Proposal', name: 'Proposal' },
      status: 'open',
      owner: { id: 'u1' },
      account: { id: 'c1' },
    });
  });
  it('toNative', () => {
    expect(opportunityMapper.toNative({ name: 'X', status: 'open', stage: { id: 'Discovery' }, owner: { id: 'u1' }, account: { id: 'c1' }, amount: 5 })).toEqual({
      title: 'X',
      arr: 5,
      salesStage: 'Discovery',
      status: 'active',
      ownerId: 'u1',
      companyId: 'c1',
    });
  });
});

describe('tasks ← tasks', () => {
  const task = {
    _id: 'k1',
    companyId: 'c1',
    mainType: 'task',
    action: 'Prepare QBR',
    description: 'Slides',
    endTime: '2026-02-01T00:00:00.000Z',
    status: 'open',
    isArchived: false,
    ownerId: 'u1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
  };
  it('toUnified', () => {
    expect(taskMapper.toUnified(task, NO_REMOTE)).toEqual({
      id: 'k1',
      title: 'Prepare QBR',
      description: 'Slides',
      due_date: '2026-02-01T00:00:00.000Z',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-02T00:00:00.000Z',
      status: 'open',
      owner: { id: 'u1' },
      account: { id: 'c1' },
    });
    expect(taskMapper.toUnified({ ...task, isArchived: true, dateDone: '2026-01-05T00:00:00.000Z' }, NO_REMOTE)).toMatchObject({ status: 'completed', completed_at: '2026-01-05T00:00:00.000Z' });
  });
  it('toNative and create defaults (mainType task)', () => {
    const native = taskMapper.toNative({ title: 'Call', status: 'completed', account: { id: 'c1' } });
    expect(native).toEqual({ action: 'Call', status: 'done', isArchived: true, companyId: 'c1' });
    expect(taskMapper.createDefaults!(native)).toEqual({ ...native, mainType: 'task' });
  });
});

describe('notes and engagements ← conversations', () => {
  const conv = {
    _id: 'n1',
    companyId: 'c1',
    type: 'note',
    subject: 'Kickoff',
    description: 'Met the team.',
    date: '2026-01-04T10:00:00.000Z',
    users: [{ id: 'u1', name: 'Sam Agent' }],
    endusers: ['eu1'],
    custom: {},
    createDate: '2026-01-04T10:00:00.000Z',
    updatedAt: '2026-01-04T11:00:00.000Z',
  };
  it('note toUnified / toNative (create sets type note)', () => {
    expect(noteMapper.toUnified(conv, NO_REMOTE)).toEqual({
      id: 'n1',
      title: 'Kickoff',
      content: 'Met the team.',
      custom_fields: {},
      created_at: '2026-01-04T10:00:00.000Z',
      updated_at: '2026-01-04T11:00:00.000Z',
      account: { id: 'c1' },
      contacts: [{ id: 'eu1' }],
      owner: { id: 'u1' },
    });
    const native = noteMapper.toNative({ content: 'Hi', account: { id: 'c1' }, owner: { id: 'u2' }, contacts: [{ id: 'eu2' }] });
    expect(native).toEqual({ description: 'Hi', companyId: 'c1', users: [{ id: 'u2' }], endusers: ['eu2'] });
    expect(noteMapper.createDefaults!(native)).toEqual({ ...native, type: 'note' });
    expect(noteMapper.accepts!(conv)).toBe(true);
    expect(noteMapper.accepts!({ ...conv, type: 'email' })).toBe(false);
  });
  it('engagement toUnified / toNative', () => {
    expect(engagementMapper.toUnified({ ...conv, type: 'call' }, NO_REMOTE)).toEqual({
      id: 'n1',
      subject: 'Kickoff',
      content: 'Met the team.',
      start_time: '2026-01-04T10:00:00.000Z',
      custom_fields: {},
      created_at: '2026-01-04T10:00:00.000Z',
      updated_at: '2026-01-04T11:00:00.000Z',
      type: 'call',
      account: { id: 'c1' },
      contacts: [{ id: 'eu1' }],
      owner: { id: 'u1' },
    });
    expect(engagementMapper.toNative({ type: 'meeting', subject: 'QBR', start_time: '2026-02-01', account: { id: 'c1' } })).toEqual({
      subject: 'QBR',
      date: '2026-02-01',
      type: 'meeting',
      companyId: 'c1',
    });
  });
});

describe('fields ← custom fields', () => {
  it('toUnified', () => {
    const cf = { _id: 'f1', name: 'Segment', type: 'list', parent: 'Company', listValues: ['SMB', 'Enterprise'], isHidden: false, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };
    expect(fieldMapper.toUnified(cf, NO_REMOTE)).toEqual({
      id: 'f1',
      name: 'Segment',
      label: 'Segment',
      created_at: '2024-01-01T00:00:00.000Z',
      updated_at: '2024-01-01T00:00:00.000Z',
      type: 'enum',
      entity: 'account',
      is_user_defined: true,
      options: [
        { value: 'SMB', label: 'SMB' },
        { value: 'Enterprise', label: 'Enterprise' },
      ],
    });
    expect(fieldMapper.toUnified({ _id: 'f2', name: 'Go-Live Date', type: 'day', parent: 'Project' }, NO_REMOTE)).toMatchObject({ type: 'date', entity: 'project', options: [] });
  });
  it('is read-only: toNative writes nothing', () => {
    expect(fieldMapper.toNative({ name: 'x', type: 'enum' })).toEqual({});
  });
  it('the entity filter maps unified entities onto Planhat parents', () => {
    expect(fieldMapper.filters!.entity.paramValue!('contact')).toBe('EndUser');
    expect(fieldMapper.filters!.entity.paramValue!('Asset')).toBe('Asset');
  });
});

describe('the mapper map', () => {
  it('has exactly one mapper per unified resource', () => {
    expect(Object.keys(MAPPERS).sort()).toEqual(UNIFIED_RESOURCES.map((r) => `${r.api}/${r.resource}`).sort());
  });
  it('every resource with writes has writable fields; read-only ones have none', () => {
    for (const r of UNIFIED_RESOURCES) {
      const writable = MAPPERS[`${r.api}/${r.resource}` as keyof typeof MAPPERS].fields.some((f) => f.schema);
      expect([r.resource, writable || !r.ops.includes('create')]).toEqual([r.resource, true]);
    }
  });
});
