import { accountMapper, ticketingAccountMapper } from './accounts';
import { contactMapper, ticketingContactMapper } from './contacts';
import { engagementMapper } from './engagements';
import { fieldMapper } from './fields';
import { MAPPERS } from './index';
import { noteMapper } from './notes';
import { opportunityMapper } from './opportunities';
import { taskMapper } from './tasks';
import { normalizeTicketStatus, ticketMapper } from './tickets';
import { ticketingUserMapper, userMapper } from './users';
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
    arr: 60000,
    phase: 'Adoption',
    status: 'customer',
    h: 7,
    csmScore: 4,
    renewalDate: '2026-09-01T00:00:00.000Z',
  };

  it('toUnified', () => {
    expect(accountMapper.toUnified(company)).toEqual({
      id: '65a1f0c2e4b0a1b2c3d4e5f6',
      name: 'Acme Corp',
      description: 'Acme makes anvils.',
      industry: 'Manufacturing',
      website: 'https://www.acme.com',
      number_of_employees: 250,
      tags: [{ id: 'strategic', name: 'strategic' }],
      custom_fields: { Segment: 'Enterprise', Seats: 120 },
      last_activity_at: '2026-01-10T08:00:00.000Z',
      created_at: '2024-05-01T00:00:00.000Z',
      updated_at: '2026-01-11T09:30:00.000Z',
      phase: 'Adoption',
      status: 'customer',
      health_score: 7,
      csm_score: 4,
      mrr: 5000,
      arr: 60000,
      renewal_date: '2026-09-01T00:00:00.000Z',
      addresses: [
        { street_1: '1 Road Runner Way', city: 'Phoenix', postal_code: '85001', country: 'US', type: 'primary' },
      ],
      phone_numbers: [{ number: '+1-555-0101', type: 'primary' }],
      urls: [
        { url: 'https://www.acme.com', type: 'website' },
        { url: 'acme.com', type: 'domain' },
      ],
      owner: { id: '65a1f0c2e4b0a1b2c3d4e500', name: 'Sam' },
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
      tags: [{ id: 'decision-maker', name: 'decision-maker' }],
      custom_fields: { 'Role Type': 'Champion' },
      last_activity_at: '2026-01-09T00:00:00.000Z',
      created_at: '2025-01-01T00:00:00.000Z',
      updated_at: '2026-01-02T00:00:00.000Z',
      account_name: 'Acme Corp',
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
    ).toEqual({
      firstName: 'Ada',
      position: 'CTO',
      companyId: 'c1',
      email: 'ada@acme.com',
      otherEmails: ['ada@home.example'],
      phone: '+1',
    });
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

  it('toUnified: status {id: raw, name: normalized}, Truto reference shapes', () => {
    expect(ticketMapper.toUnified(ticket)).toEqual({
      id: 't1',
      name: 'Cannot log in',
      description: 'Customer reported an issue.',
      ticket_url: 'https://support.example.com/tickets/10001',
      number: 'ZD-10001',
      custom_fields: {},
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-03T00:00:00.000Z',
      priority: { id: 'urgent', name: 'urgent' },
      ticket_type: { id: 'incident', name: 'incident' },
      tags: [{ id: 'bug', name: 'bug' }],
      completed_at: '2026-01-03T00:00:00.000Z',
      status: { id: 'solved', name: 'resolved' },
      account: { id: 'c1' },
      contact: { email: 'ada@acme.com' },
      additional_contacts: [],
      assignees: [{ id: 'u1', name: 'Sam Agent' }],
      remote_data: ticket,
    });
  });

  it('toUnified: requester, created_by and additional contacts from endusers; an open ticket has no completed_at; type "ticket" is no ticket_type', () => {
    const u = ticketMapper.toUnified(
      { ...ticket, status: 'open', type: 'ticket', endusers: ['eu1', 'eu2', 'eu3'] },
      NO_REMOTE,
    );
    expect(u.contact).toEqual({ id: 'eu1', email: 'ada@acme.com' });
    expect(u.created_by).toEqual({ id: 'eu1', type: 'contact' });
    expect(u.additional_contacts).toEqual([{ id: 'eu2' }, { id: 'eu3' }]);
    expect(u.completed_at).toBeUndefined();
    expect(u.ticket_type).toBeUndefined();
    expect(u.status).toEqual({ id: 'open', name: 'open' });
    expect(ticketMapper.toUnified({ ...ticket, status: 'closed' }, NO_REMOTE).status).toEqual({
      id: 'closed',
      name: 'closed',
    });
  });

  it.each([
    ['open', 'open'],
    ['New', 'open'],
    ['pending', 'pending'],
    ['hold', 'pending'],
    ['solved', 'resolved'],
    ['Resolved', 'resolved'],
    ['closed', 'closed'],
    ['something else', 'open'],
    [undefined, 'open'],
  ])('status %s → %s', (raw, unified) => {
    expect(normalizeTicketStatus(raw)).toBe(unified);
  });

  it('toNative: status.name (normalized) → raw status, status.id (raw) wins; priority {id|name}; tags as objects or strings; contact.email → email', () => {
    expect(
      ticketMapper.toNative({
        name: 'Help',
        status: { name: 'resolved' },
        account: { id: 'c1' },
        contact: { email: 'a@b.c' },
        priority: { name: 'low' },
        tags: [{ id: 'bug', name: 'bug' }, 'vip'],
      }),
    ).toEqual({
      title: 'Help',
      severity: 'low',
      tags: ['bug', 'vip'],
      status: 'solved',
      companyId: 'c1',
      email: 'a@b.c',
    });
    expect(ticketMapper.toNative({ status: { id: 'hold', name: 'pending' } })).toEqual({ status: 'hold' });
    expect(ticketMapper.toNative({ priority: { id: 'high' } })).toEqual({ severity: 'high' });
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
    expect(
      opportunityMapper.toNative({
        name: 'X',
        status: 'open',
        stage: { id: 'Discovery' },
        owner: { id: 'u1' },
        account: { id: 'c1' },
        amount: 5,
      }),
    ).toEqual({
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
    ownerName: 'Sam Agent',
    type: 'call',
    endusers: ['eu1'],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
  };
  it('toUnified', () => {
    expect(taskMapper.toUnified(task, NO_REMOTE)).toEqual({
      id: 'k1',
      subject: 'Prepare QBR',
      content: 'Slides',
      due_date: '2026-02-01T00:00:00.000Z',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-02T00:00:00.000Z',
      type: { id: 'call', name: 'call' },
      status: 'open',
      owner: { id: 'u1', name: 'Sam Agent' },
      account: { id: 'c1' },
      contact: [{ id: 'eu1' }],
    });
    expect(
      taskMapper.toUnified({ ...task, isArchived: true, dateDone: '2026-01-05T00:00:00.000Z' }, NO_REMOTE),
    ).toMatchObject({ status: 'completed', completed_at: '2026-01-05T00:00:00.000Z' });
  });
  it('toNative and create defaults (mainType task)', () => {
    const native = taskMapper.toNative({
      subject: 'Call',
      content: 'About the renewal',
      type: { id: 'call' },
      status: 'completed',
      account: { id: 'c1' },
      owner: 'u1',
      contact: [{ id: 'eu1' }],
    });
    expect(native).toEqual({
      action: 'Call',
      description: 'About the renewal',
      type: 'call',
      status: 'done',
      isArchived: true,
      ownerId: 'u1',
      companyId: 'c1',
      endusers: ['eu1'],
    });
    expect(taskMapper.toNative({ owner: { id: 'u2', name: 'Ignored' } })).toEqual({ ownerId: 'u2' });
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
      contact: [{ id: 'eu1' }],
      owner: { id: 'u1', name: 'Sam Agent' },
    });
    const native = noteMapper.toNative({
      content: 'Hi',
      account: { id: 'c1' },
      owner: { id: 'u2' },
      contact: [{ id: 'eu2' }],
    });
    expect(native).toEqual({ description: 'Hi', companyId: 'c1', users: [{ id: 'u2' }], endusers: ['eu2'] });
    expect(noteMapper.createDefaults!(native)).toEqual({ ...native, type: 'note' });
    expect(noteMapper.accepts!(conv)).toBe(true);
    expect(noteMapper.accepts!({ ...conv, type: 'email' })).toBe(false);
  });
  it('engagement toUnified / toNative', () => {
    expect(
      engagementMapper.toUnified({ ...conv, type: 'call', outDate: '2026-01-04T10:30:00.000Z' }, NO_REMOTE),
    ).toEqual({
      id: 'n1',
      subject: 'Kickoff',
      content: 'Met the team.',
      start_time: '2026-01-04T10:00:00.000Z',
      end_time: '2026-01-04T10:30:00.000Z',
      custom_fields: {},
      created_at: '2026-01-04T10:00:00.000Z',
      updated_at: '2026-01-04T11:00:00.000Z',
      engagement_type: 'call',
      duration: 1800,
      account: { id: 'c1' },
      contact: [{ id: 'eu1' }],
      owner: { id: 'u1', name: 'Sam Agent' },
    });
    expect(
      engagementMapper.toNative({
        engagement_type: 'meeting',
        subject: 'QBR',
        start_time: '2026-02-01',
        end_time: '2026-02-01T01:00:00Z',
        account: { id: 'c1' },
        owner: 'u3',
      }),
    ).toEqual({
      subject: 'QBR',
      date: '2026-02-01',
      outDate: '2026-02-01T01:00:00Z',
      type: 'meeting',
      companyId: 'c1',
      users: [{ id: 'u3' }],
    });
  });
});

describe('fields ← custom fields', () => {
  it('toUnified', () => {
    const cf = {
      _id: 'f1',
      name: 'Segment',
      type: 'list',
      parent: 'Company',
      listValues: ['SMB', 'Enterprise'],
      isHidden: false,
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
    };
    expect(fieldMapper.toUnified(cf, NO_REMOTE)).toEqual({
      id: 'f1',
      name: 'Segment',
      label: 'Segment',
      created_at: '2024-01-01T00:00:00.000Z',
      updated_at: '2024-01-01T00:00:00.000Z',
      type: 'enum',
      entity_type: 'account',
      entity: 'account',
      is_user_defined: true,
      options: [
        { value: 'SMB', label: 'SMB' },
        { value: 'Enterprise', label: 'Enterprise' },
      ],
    });
    expect(
      fieldMapper.toUnified({ _id: 'f2', name: 'Go-Live Date', type: 'day', parent: 'Project' }, NO_REMOTE),
    ).toMatchObject({ type: 'date', entity_type: 'project', entity: 'project', options: [] });
  });
  it('is read-only: toNative writes nothing', () => {
    expect(fieldMapper.toNative({ name: 'x', type: 'enum' })).toEqual({});
  });
  it('the entity filter maps unified entities onto Planhat parents', () => {
    expect(fieldMapper.filters!.entity_type.paramValue!('contact')).toBe('EndUser');
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

describe('Truto shapes: CS fields, tags, owners, ticketing accounts/contacts/users', () => {
  it('accounts write the CS fields, tags as objects or strings, owner as an id or {id, name}', () => {
    expect(
      accountMapper.toNative({
        phase: 'Renewal',
        status: 'customer',
        csm_score: 3,
        tags: [{ id: 'a', name: 'vip' }, { id: 'b' }, 'plain'],
        owner: 'u9',
      }),
    ).toEqual({
      phase: 'Renewal',
      status: 'customer',
      csmScore: 3,
      tags: ['vip', 'b', 'plain'],
      owner: 'u9',
    });
    expect(accountMapper.toNative({ owner: { id: 'u8', name: 'Sam' } })).toEqual({ owner: 'u8' });
    // health, mrr, arr and renewal date are Planhat's computed values: read-only.
    expect(accountMapper.toNative({ health_score: 1, mrr: 2, arr: 3, renewal_date: 'x' })).toEqual({});
  });

  it('ticketing accounts: domains[], tags, owner {id, name} from an object', () => {
    expect(
      ticketingAccountMapper.toUnified(
        {
          _id: 'c1',
          name: 'Acme',
          domains: ['acme.com', 'acme.io'],
          web: 'https://acme.com',
          tags: ['vip'],
          owner: { _id: 'u1', nickName: 'Sam' },
          createDate: 'c',
          updatedAt: 'u',
        },
        NO_REMOTE,
      ),
    ).toEqual({
      id: 'c1',
      name: 'Acme',
      domains: ['acme.com', 'acme.io'],
      website: 'https://acme.com',
      tags: [{ id: 'vip', name: 'vip' }],
      owner: { id: 'u1', name: 'Sam' },
      created_at: 'c',
      updated_at: 'u',
    });
  });

  it('ticketing contacts: emails[], phones[], account_id, is_active', () => {
    expect(
      ticketingContactMapper.toUnified(
        {
          _id: 'eu1',
          firstName: 'Ada',
          lastName: 'L',
          name: 'Ada L',
          email: 'ada@acme.com',
          otherEmails: ['a@b.c', ''],
          phone: '+1',
          companyId: 'c1',
          companyName: 'Acme',
          archived: true,
        },
        NO_REMOTE,
      ),
    ).toEqual({
      id: 'eu1',
      first_name: 'Ada',
      last_name: 'L',
      name: 'Ada L',
      account_id: 'c1',
      account_name: 'Acme',
      emails: [
        { email: 'ada@acme.com', type: 'primary' },
        { email: 'a@b.c', type: 'other' },
      ],
      phones: [{ number: '+1', type: 'primary' }],
      is_active: false,
    });
  });

  it('ticketing users: emails[], team_ids[], avatar; update writes names, email and is_active', () => {
    expect(
      ticketingUserMapper.toUnified(
        {
          _id: 'u1',
          firstName: 'Sam',
          lastName: 'Agent',
          nickName: 'Sam',
          email: 's@x.io',
          teams: ['CS East'],
          roles: ['csm'],
          inactive: false,
          image: { path: 'https://img/x.png' },
        },
        NO_REMOTE,
      ),
    ).toEqual({
      id: 'u1',
      first_name: 'Sam',
      last_name: 'Agent',
      username: 'Sam',
      name: 'Sam Agent',
      emails: [{ email: 's@x.io', type: 'primary' }],
      is_active: true,
      team_ids: ['CS East'],
      roles: [{ id: 'csm', name: 'csm' }],
      avatar: 'https://img/x.png',
    });
    expect(
      ticketingUserMapper.toNative({
        first_name: 'Samuel',
        emails: [{ email: 'new@x.io' }],
        is_active: false,
        team_ids: ['ignored'],
      }),
    ).toEqual({
      firstName: 'Samuel',
      email: 'new@x.io',
      inactive: true,
    });
  });
});
