/**
 * Deterministic demo data, one generator per catalog model key (the only per-model code of the
 * sandbox). A model without a generator starts empty. Generators may read other models' records
 * through `ctx.records(key)`, which seeds those first; relations therefore always point at
 * existing records. Dates are relative to the tenant's creation time (`ctx.now`).
 */
import { DAY_MS, type Rng } from './prng';
import { slugify, type Rec } from './rules';

export interface SeedContext {
  /** seedCompanies: the size of the tenant. */
  n: number;
  /** Tenant creation time (ms). */
  now: number;
  rng: Rng;
  newId: () => string;
  records: (key: string) => readonly Rec[];
}

export type Seeder = (ctx: SeedContext) => Rec[];

// ------------------------------------------------------------------ word lists

const PREFIXES = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Hooli',
  'Vandelay',
  'Soylent',
  'Cyberdyne',
  'Tyrell',
  'Wonka',
  'Nakatomi',
  'Oscorp',
  'Aperture',
  'Bluesun',
  'Monarch',
  'Piedpiper',
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Tailspin',
  'Litware',
  'Proseware',
  'Woodgrove',
  'Lucerne',
  'Dunder',
  'Prestige',
  'Vortex',
  'Zenith',
  'Helix',
  'Quantum',
  'Nimbus',
  'Evergreen',
  'Summit',
  'Ironclad',
  'Silverline',
  'Brightwave',
  'Redwood',
  'Cobalt',
] as const;
const SUFFIXES = [
  'Labs',
  'Systems',
  'Analytics',
  'Logistics',
  'Health',
  'Capital',
  'Robotics',
  'Software',
  'Media',
  'Energy',
  'Foods',
  'Networks',
  'Bio',
  'Cloud',
  'Retail',
  'Security',
  'Partners',
  'Industries',
  'Dynamics',
  'Ventures',
] as const;
const INDUSTRIES = [
  'Software',
  'Healthcare',
  'Financial Services',
  'Retail',
  'Manufacturing',
  'Logistics',
  'Media',
  'Education',
  'Energy',
];
const PLACES: [string, string][] = [
  ['United States', 'New York'],
  ['United States', 'San Francisco'],
  ['United States', 'Austin'],
  ['United Kingdom', 'London'],
  ['Germany', 'Berlin'],
  ['Sweden', 'Stockholm'],
  ['France', 'Paris'],
  ['Netherlands', 'Amsterdam'],
  ['Canada', 'Toronto'],
  ['Australia', 'Sydney'],
  ['Spain', 'Madrid'],
];
const FIRST = [
  'Emma',
  'Liam',
  'Olivia',
  'Noah',
  'Ava',
  'Elijah',
  'Sophia',
  'Lucas',
  'Mia',
  'Mateo',
  'Isabella',
  'Levi',
  'Amelia',
  'Ethan',
  'Harper',
  'James',
  'Evelyn',
  'Oliver',
  'Aria',
  'Henry',
  'Chloe',
  'Leo',
  'Nora',
  'Jack',
  'Maya',
  'Samuel',
  'Zoe',
  'Daniel',
  'Ingrid',
  'Lars',
  'Priya',
  'Arjun',
  'Yuki',
  'Kenji',
  'Fatima',
  'Omar',
  'Sofia',
  'Diego',
  'Hannah',
  'Felix',
];
const LAST = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Thompson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Lindqvist',
  'Nakamura',
  'Patel',
  'Khan',
  'Schmidt',
  'Rossi',
  'Dubois',
  'Novak',
  'Silva',
  'Berg',
];
const POSITIONS = [
  'CEO',
  'CTO',
  'VP Operations',
  'Head of Customer Success',
  'IT Manager',
  'Product Manager',
  'Data Analyst',
  'Procurement Lead',
  'Engineer',
  'Marketing Manager',
  'CFO',
  'Office Manager',
];
const PRODUCTS = [
  'Platform Core',
  'Analytics Add-on',
  'Premium Support',
  'API Access',
  'Enterprise SSO',
  'Data Warehouse Sync',
];
const CHURN_REASONS = [
  'Budget Constraints',
  'Missing Features',
  'Poor Onboarding',
  'Switched to Competitor',
  'Company Acquired',
  'Low Adoption',
];
const PHASES_BY_STATUS: Record<string, string[]> = {
  customer: ['Onboarding', 'Adoption', 'Adoption', 'Renewal', 'Expansion'],
  coming: ['Onboarding'],
  prospect: ['Evaluation'],
  canceled: ['Churned'],
  lost: ['Churned'],
};
const STATUS_WEIGHTS = [
  ['customer', 60],
  ['prospect', 10],
  ['coming', 8],
  ['canceled', 10],
  ['lost', 12],
] as const;
const TAGS = ['strategic', 'reference', 'beta', 'at-risk', 'upsell', 'partner'];
export const SEGMENTS = ['SMB', 'Mid-Market', 'Enterprise'];
export const RISKS = ['Low', 'Medium', 'High'];

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const iso = (ms: number) => new Date(ms).toISOString();
const dayNo = (ms: number) => Math.floor(ms / DAY_MS);
const round = (n: number, step = 1) => Math.round(n / step) * step;
/** Scaled count with a floor of 1 whenever there are companies. */
const scaled = (n: number, f: number) => (n === 0 ? 0 : Math.max(1, Math.round(n * f)));

function base(ctx: SeedContext, createdAgoDays: number, created = 'createdAt', updated = 'updatedAt'): Rec {
  const c = ctx.now - createdAgoDays * DAY_MS;
  const u = Math.min(ctx.now, c + ctx.rng.int(0, Math.max(0, createdAgoDays)) * DAY_MS);
  return { _id: ctx.newId(), __v: 0, [created]: iso(c), [updated]: iso(u) };
}

function userCount(n: number) {
  return Math.min(200, Math.max(5, Math.round(n / 10)));
}

/** Companies that churned (lost/canceled), or any companies when there are none. */
function churnedCompanies(ctx: SeedContext): readonly Rec[] {
  const companies = ctx.records('companies');
  const churned = companies.filter((c) => c.status === 'lost' || c.status === 'canceled');
  return churned.length ? churned : companies;
}

function companyOf(ctx: SeedContext, i: number): Rec {
  const companies = ctx.records('companies');
  return companies[i % companies.length];
}

/** Company index i is a "renewal audit" company: customer with an overdue invoice and a license renewing soon. */
const isRenewalAuditIndex = (i: number) => i % 5 === 0;

// ------------------------------------------------------------------ generators

export const SEEDERS: Record<string, Seeder> = {
  users: (ctx) => {
    const out: Rec[] = [];
    const count = userCount(ctx.n);
    for (let i = 0; i < count; i++) {
      const firstName = FIRST[(i * 7 + 3) % FIRST.length];
      const lastName = LAST[(i * 11 + 5) % LAST.length];
      const nick = `${firstName}${i >= FIRST.length ? i : ''}`;
      out.push({
        ...base(ctx, 400 + ctx.rng.int(0, 300)),
        firstName,
        lastName,
        nickName: nick,
        email: `${firstName}.${lastName}${i >= FIRST.length ? i : ''}@northstar-cs.io`.toLowerCase(),
        externalId: `USR-${pad(i + 1, 3)}`,
        roles: [i === 0 ? 'admin' : 'csm'],
        inactive: false,
        isHidden: false,
        teams: [i % 2 === 0 ? 'CS East' : 'CS West'],
        managers: [],
        custom: {},
      });
    }
    if (out.length > 1) for (let i = 1; i < out.length; i++) out[i].managers = [out[0]._id];
    return out;
  },

  companies: (ctx) => {
    const { rng, n, now } = ctx;
    const users = ctx.records('users');
    const out: Rec[] = [];
    const P = PREFIXES.length;
    const S = SUFFIXES.length;
    for (let i = 0; i < n; i++) {
      const prefix = PREFIXES[i % P];
      const suffix = SUFFIXES[(Math.floor(i / P) + i) % S];
      const gen = Math.floor(i / (P * S));
      const name = `${prefix} ${suffix}${gen > 0 ? ` ${gen + 1}` : ''}`;
      const slug = slugify(name);
      const status = i === 0 ? 'customer' : rng.weighted(STATUS_WEIGHTS);
      const paying = status === 'customer' || status === 'coming';
      const mrr = paying ? round(rng.int(500, 20000), 50) : 0;
      const [country, city] = rng.pick(PLACES);
      const ageDays = rng.int(30, 1500);
      const segment = mrr > 10000 ? 'Enterprise' : mrr > 3000 ? 'Mid-Market' : 'SMB';
      const h = status === 'lost' || status === 'canceled' ? rng.int(1, 4) : rng.int(3, 10);
      const owner = users[rng.int(0, users.length - 1)]._id;
      const b = base(ctx, ageDays, 'createDate', 'updatedAt');
      const rec: Rec = {
        _id: b._id,
        __v: 0,
        createDate: b.createDate,
        updatedAt: b.updatedAt,
        name,
        slug,
        externalId: `${prefix.slice(0, 4).toUpperCase()}-${pad(i + 1, 4)}`,
        sourceId: `0015g000${pad(i + 1, 7)}`,
        owner,
        phase: rng.pick(PHASES_BY_STATUS[status]),
        status,
        domains: [`${slug}.com`],
        h,
        csmScore: rng.int(1, 5),
        mrr,
        arr: mrr * 12,
        tags: rng.some(TAGS, rng.int(0, 2)),
        description: `${name} is a ${INDUSTRIES[i % INDUSTRIES.length].toLowerCase()} company based in ${city}.`,
        industry: INDUSTRIES[i % INDUSTRIES.length],
        employees: rng.int(10, 20000),
        country,
        city,
        web: `https://www.${slug}.com`,
        phonePrimary: `+1-555-${pad(rng.int(0, 9999), 4)}`,
        lastActive: iso(now - rng.int(0, 60) * DAY_MS - rng.int(0, 86_000) * 1000),
        custom: {
          Segment: segment,
          Champion: `${FIRST[rng.int(0, FIRST.length - 1)]} ${LAST[rng.int(0, LAST.length - 1)]}`,
          'Renewal Risk': h <= 4 ? 'High' : h <= 7 ? 'Medium' : 'Low',
          Seats: paying ? rng.int(5, 2000) : 0,
        },
      };
      if (rng.chance(0.3)) rec.coOwner = users[rng.int(0, users.length - 1)]._id;
      if (status !== 'prospect') rec.customerFrom = iso(now - ageDays * DAY_MS);
      if (paying) rec.renewalDate = iso(now + rng.int(1, 365) * DAY_MS);
      out.push(rec);
    }
    return out;
  },

  endusers: (ctx) => {
    const { rng, now } = ctx;
    const companies = ctx.records('companies');
    const out: Rec[] = [];
    companies.forEach((c, ci) => {
      const domain = (c.domains as string[])[0];
      for (let j = 0; j < 3; j++) {
        const firstName = FIRST[(ci * 3 + j * 13) % FIRST.length];
        const lastName = LAST[(ci * 7 + j * 17) % LAST.length];
        const archived = j === 2 && rng.chance(0.05);
        out.push({
          ...base(ctx, rng.int(10, 900), 'createDate', 'updatedAt'),
          companyId: c._id,
          companyName: c.name,
          email: `${firstName}.${lastName}@${domain}`.toLowerCase(),
          externalId: `EU-${pad(ci * 3 + j + 1, 6)}`,
          firstName,
          lastName,
          name: `${firstName} ${lastName}`,
          position:
            j === 0 ? rng.pick(['CEO', 'CTO', 'Head of Customer Success', 'VP Operations']) : rng.pick(POSITIONS),
          phone: `+1-555-${pad(rng.int(0, 9999), 4)}`,
          tags: j === 0 ? ['decision-maker'] : [],
          featured: j === 0,
          primary: j === 0,
          archived,
          otherEmails: [],
          lastActive: iso(now - rng.int(0, 90) * DAY_MS),
          relevance: rng.int(1, 10),
          experience: rng.int(1, 100),
          beatsTotal: rng.int(0, 500),
          custom: {
            'Role Type': j === 0 ? 'Decision Maker' : j === 1 ? 'Champion' : 'User',
            Newsletter: rng.chance(0.6),
          },
        });
      }
    });
    return out;
  },

  licenses: (ctx) => {
    const { rng, now } = ctx;
    const companies = ctx.records('companies');
    const out: Rec[] = [];
    const count = scaled(ctx.n, 1.2);
    for (let i = 0; i < count && companies.length; i++) {
      const ci = i % companies.length;
      const c = companies[ci];
      const churned = c.status === 'lost' || c.status === 'canceled';
      const mrr =
        c.status === 'prospect'
          ? round(rng.int(200, 3000), 50)
          : Math.max(100, round(((c.mrr as number) || 2000) / (i < companies.length ? 1 : 3), 10));
      const renewingSoon = i < companies.length && isRenewalAuditIndex(ci);
      const toMs = churned
        ? now - rng.int(10, 180) * DAY_MS
        : renewingSoon
          ? now + rng.int(10, 80) * DAY_MS
          : now + rng.int(91, 700) * DAY_MS;
      const fromMs = toMs - 365 * DAY_MS;
      out.push({
        ...base(ctx, rng.int(30, 700)),
        companyId: c._id,
        companyName: c.name,
        externalId: `LIC-${pad(i + 1, 6)}`,
        product: i < companies.length ? 'Platform Core' : rng.pick(PRODUCTS.slice(1)),
        _currency: 'USD',
        fromDate: iso(fromMs),
        toDate: iso(toMs),
        renewalDate: iso(toMs),
        fixedPeriod: true,
        mrr,
        arr: mrr * 12,
        value: mrr * 12,
        renewalStatus: churned ? 'lost' : renewingSoon ? 'ongoing' : rng.pick(['ongoing', 'ongoing', 'renewed']),
        autoRenews: rng.chance(0.6),
        noticePeriod: 30,
        noticeUnit: 'day',
        renewalPeriod: 12,
        renewalUnit: 'month',
        custom: {
          'Contract Type': rng.pick(['Annual', 'Multi-year', 'Monthly']),
          'Discount %': rng.pick([0, 0, 5, 10, 15]),
        },
      });
    }
    return out;
  },

  invoices: (ctx) => {
    const { rng, now } = ctx;
    const companies = ctx.records('companies');
    const out: Rec[] = [];
    const count = scaled(ctx.n, 2);
    const today = dayNo(now);
    for (let i = 0; i < count && companies.length; i++) {
      const ci = i % companies.length;
      const c = companies[ci];
      const overdue =
        (i < companies.length && isRenewalAuditIndex(ci) && c.status === 'customer') ||
        (i >= companies.length && rng.chance(0.08));
      const amount = round(rng.int(500, 60000), 10);
      const invoiceDate = overdue ? today - rng.int(45, 120) : today - rng.int(0, 330);
      const dueDate = invoiceDate + 30;
      const paid = !overdue && dueDate < today ? true : !overdue && rng.chance(0.3);
      const rec: Rec = {
        ...base(ctx, today - invoiceDate, 'createdAt', 'lastUpdated'),
        cId: c._id,
        cName: c.name,
        extId: `INV-${pad(i + 1, 6)}`,
        invoiceNo: i + 1,
        currency: 'USD',
        invoiceDate,
        dueDate,
        amountTotal: amount,
        amountPaid: paid ? amount : 0,
        amountDue: paid ? 0 : amount,
        status: overdue ? 'overdue' : paid ? 'paid' : 'pending',
        product: rng.pick(PRODUCTS),
        custom: {},
      };
      if (paid) rec.paidDate = Math.min(today, dueDate - rng.int(0, 20));
      out.push(rec);
    }
    return out;
  },

  churn: (ctx) => {
    const { rng, now } = ctx;
    const churned = churnedCompanies(ctx);
    const out: Rec[] = [];
    const count = scaled(ctx.n, 0.15);
    const d = new Date(now);
    const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const thisMonth = Math.max(3, Math.round(count * 0.3));
    for (let i = 0; i < count && churned.length; i++) {
      const c = churned[i % churned.length];
      // The first records fall in the current month (the first one is a "Budget Constraints" win-back).
      const dateMs =
        i < thisMonth
          ? Math.max(monthStart, now - (i * 2 + 1) * 3_600_000 * 6)
          : now - rng.int(Math.max(1, Math.ceil((now - monthStart) / DAY_MS)), 180) * DAY_MS;
      const reasons = i === 0 || i === 2 ? ['Budget Constraints'] : rng.some(CHURN_REASONS, rng.int(1, 2));
      const value = round(rng.int(1000, 20000), 10);
      out.push({
        ...base(ctx, Math.max(0, Math.floor((now - dateMs) / DAY_MS))),
        companyId: c._id,
        companyName: c.name,
        churnDate: iso(dateMs),
        reasons,
        value,
        arr: value * 12,
        currency: 'USD',
        products: rng.some(PRODUCTS, rng.int(1, 2)),
        onlyDowngrade: i > 2 && rng.chance(0.15),
        snoozed: false,
        description: `Churned: ${reasons.join(', ')}`,
        comment: rng.pick([
          'Customer cited budget cuts for next fiscal year.',
          'Key champion left the company.',
          'Moved to a cheaper competitor.',
          'Never completed onboarding.',
          'Needed features on our roadmap.',
        ]),
        externalId: `CHURN-${pad(i + 1, 5)}`,
        custom: {},
      });
    }
    return out;
  },

  nps: (ctx) => {
    const { rng, now } = ctx;
    const endusers = ctx.records('endusers');
    const out: Rec[] = [];
    const count = scaled(ctx.n, 1);
    const promotersThisWeek = Math.max(3, Math.round(count * 0.1));
    for (let i = 0; i < count && endusers.length; i++) {
      const eu = endusers[(i * 3 + (i % 3)) % endusers.length];
      const recent = i < promotersThisWeek;
      const score = recent
        ? i % 2 === 0
          ? 10
          : 9
        : rng.weighted([
            [10, 3],
            [9, 3],
            [8, 2],
            [7, 2],
            [6, 1],
            [5, 1],
            [4, 1],
            [3, 1],
            [2, 1],
            [1, 1],
            [0, 1],
          ] as const);
      const answeredMs = recent ? now - rng.int(1, 6 * 24) * 3_600_000 : now - rng.int(8, 300) * DAY_MS;
      out.push({
        ...base(ctx, Math.floor((now - answeredMs) / DAY_MS) + 1),
        email: eu.email,
        euId: eu._id,
        cId: eu.companyId,
        companyName: eu.companyName,
        score,
        comment:
          score >= 9
            ? rng.pick(['Love the product!', 'Great support team.', 'Saves us hours every week.'])
            : score >= 7
              ? rng.pick(['Good, but reporting could be better.', 'Solid tool.'])
              : rng.pick([
                  'Too expensive for what we use.',
                  'Onboarding was painful.',
                  'Missing integrations we need.',
                ]),
        source: 'email',
        sourceId: `NPS-${pad(i + 1, 6)}`,
        campaignId: `NPS-Q${Math.floor(new Date(answeredMs).getUTCMonth() / 3) + 1}`,
        dateSent: iso(answeredMs - rng.int(1, 5) * DAY_MS),
        dateAnswered: iso(answeredMs),
      });
    }
    return out;
  },

  opportunities: (ctx) => {
    const { rng, now } = ctx;
    const users = ctx.records('users');
    const out: Rec[] = [];
    const count = scaled(ctx.n, 0.5);
    for (let i = 0; i < count; i++) {
      const c = companyOf(ctx, i * 2);
      const status = rng.weighted([
        ['active', 6],
        ['won', 2],
        ['lost', 2],
      ] as const);
      const mrr = round(rng.int(200, 8000), 50);
      out.push({
        ...base(ctx, rng.int(5, 200)),
        companyId: c._id,
        companyName: c.name,
        title: `${c.name} ${rng.pick(['Expansion', 'Upsell', 'Renewal Upgrade', 'Win-back', 'New Seats'])}`,
        salesStage:
          status === 'active'
            ? rng.pick(['Discovery', 'Nurture', 'Proposal', 'Negotiation'])
            : status === 'won'
              ? 'Closed Won'
              : 'Closed Lost',
        status,
        closeDate: iso(now + rng.int(-90, 120) * DAY_MS),
        _currency: 'USD',
        ownerId: c.owner ?? users[0]?._id,
        mrr,
        arr: mrr * 12,
        nrr: rng.chance(0.3) ? round(rng.int(1000, 20000), 100) : 0,
        contractLength: rng.pick([12, 12, 24, 36]),
        externalId: `OPP-${pad(i + 1, 5)}`,
        custom: { 'Lead Source': rng.pick(['Inbound', 'Outbound', 'Partner', 'Customer Referral']) },
      });
    }
    return out;
  },

  projects: (ctx) => {
    const { rng, now } = ctx;
    const companies = ctx.records('companies');
    const churnCompanyIds = [...new Set(ctx.records('churn').map((c) => c.companyId as string))];
    const byId = new Map(companies.map((c) => [c._id as string, c]));
    const onboarding = companies.filter((c) => c.phase === 'Onboarding');
    const out: Rec[] = [];
    const count = scaled(ctx.n, 0.5);
    for (let i = 0; i < count && companies.length; i++) {
      // Churned companies first (churn triage), then onboarding companies, then the rest.
      const c =
        i < churnCompanyIds.length
          ? byId.get(churnCompanyIds[i])!
          : i - churnCompanyIds.length < onboarding.length
            ? onboarding[i - churnCompanyIds.length]
            : companies[(i * 7) % companies.length];
      const isOnboarding = c.phase === 'Onboarding';
      const churned = c.status === 'lost' || c.status === 'canceled';
      const type = isOnboarding
        ? 'Onboarding'
        : rng.pick(['Implementation', 'Expansion Rollout', 'Integration', 'Training']);
      const start = now - rng.int(5, 200) * DAY_MS;
      out.push({
        ...base(ctx, Math.floor((now - start) / DAY_MS)),
        companyId: c._id,
        companyName: c.name,
        name: `${c.name} ${type}`,
        startDate: iso(start),
        endDate: iso(start + rng.int(30, 120) * DAY_MS),
        status: churned ? 'abandoned' : isOnboarding ? 'active' : rng.pick(['active', 'completed', 'completed']),
        currency: 'USD',
        nrr: round(rng.int(0, 15000), 100),
        externalId: `PRJ-${pad(i + 1, 5)}`,
        custom: {
          'Project Type': type === 'Onboarding' ? 'Onboarding' : type === 'Training' ? 'Training' : 'Implementation',
          'Go-Live Date': iso(start + rng.int(20, 90) * DAY_MS).slice(0, 10),
        },
      });
    }
    return out;
  },

  tasks: (ctx) => {
    const { rng, now } = ctx;
    const out: Rec[] = [];
    const count = scaled(ctx.n, 2);
    const actions = [
      'Schedule QBR',
      'Send renewal quote',
      'Follow up on NPS feedback',
      'Review health score drop',
      'Kickoff call',
      'Share training material',
      'Check invoice status',
      'Plan expansion workshop',
    ];
    for (let i = 0; i < count; i++) {
      const c = companyOf(ctx, i);
      const done = rng.chance(0.4);
      const start = now + rng.int(-60, 30) * DAY_MS;
      const rec: Rec = {
        ...base(ctx, rng.int(1, 90)),
        companyId: c._id,
        companyName: c.name,
        mainType: rng.chance(0.85) ? 'task' : 'event',
        action: rng.pick(actions),
        description: `For ${c.name}`,
        startTime: iso(start),
        endTime: iso(start + 3_600_000),
        status: done ? 'done' : 'open',
        isArchived: done,
        type: rng.pick(['call', 'email', 'meeting', 'todo']),
        ownerId: c.owner,
        externalId: `TSK-${pad(i + 1, 6)}`,
        custom: {},
      };
      if (done) rec.dateDone = iso(Math.min(now, start + DAY_MS));
      out.push(rec);
    }
    return out;
  },

  tickets: (ctx) => {
    const { rng } = ctx;
    const endusers = ctx.records('endusers');
    const out: Rec[] = [];
    const count = scaled(ctx.n, 1);
    const titles = [
      'Cannot log in',
      'Export to CSV fails',
      'Question about billing',
      'SSO configuration',
      'Dashboard loads slowly',
      'Feature request: custom reports',
      'API rate limit errors',
      'Data sync delayed',
    ];
    for (let i = 0; i < count && endusers.length; i++) {
      const eu = endusers[(i * 5) % endusers.length];
      out.push({
        ...base(ctx, rng.int(0, 120), 'createDate', 'updateDate'),
        companyId: eu.companyId,
        companyName: eu.companyName,
        sourceId: `ZD-${10000 + i + 1}`,
        email: eu.email,
        title: rng.pick(titles),
        description: 'Customer reported an issue via the help center.',
        url: `https://support.example.com/tickets/${10000 + i + 1}`,
        tags: rng.some(['bug', 'billing', 'how-to', 'integration', 'urgent'], rng.int(0, 2)),
        // A ticket is a conversation of type ticket (one store); the helpdesk's own type is not kept.
        type: 'ticket',
        endusers: [eu._id],
        severity: rng.weighted([
          ['low', 3],
          ['normal', 5],
          ['high', 2],
          ['urgent', 1],
        ] as const),
        status: rng.weighted([
          ['open', 3],
          ['pending', 2],
          ['solved', 4],
          ['closed', 3],
        ] as const),
        timeSpent: rng.int(5, 240),
        source: 'zendesk',
        custom: {},
      });
    }
    return out;
  },

  issues: (ctx) => {
    const { rng } = ctx;
    const companies = ctx.records('companies');
    const out: Rec[] = [];
    const count = scaled(ctx.n, 0.2);
    const titles = [
      'Timeout on large exports',
      'SSO login loop',
      'Missing Salesforce field mapping',
      'Slow dashboard',
      'Webhook retries duplicate events',
      'Request: audit log export',
    ];
    for (let i = 0; i < count && companies.length; i++) {
      const ids = rng.some(companies, rng.int(1, 3)).map((c) => c._id);
      out.push({
        ...base(ctx, rng.int(1, 200)),
        title: `${rng.pick(titles)} #${i + 1}`,
        description: 'Reported by several customers.',
        companyIds: ids,
        enduserIds: [],
        conversationIds: [],
        source: 'jira',
        sourceId: `JIRA-${1000 + i + 1}`,
        sourceUrl: `https://jira.example.com/browse/JIRA-${1000 + i + 1}`,
        priority: rng.pick(['low', 'medium', 'high']),
        status: rng.pick(['Open', 'In Progress', 'Closed']),
        archived: false,
        custom: {},
      });
    }
    return out;
  },

  conversations: (ctx) => {
    const { rng, now } = ctx;
    const users = ctx.records('users');
    const endusers = ctx.records('endusers');
    const out: Rec[] = [];
    const count = scaled(ctx.n, 2);
    for (let i = 0; i < count && endusers.length; i++) {
      const eu = endusers[(i * 3 + 1) % endusers.length];
      const u = users[i % users.length];
      const type = rng.weighted([
        ['note', 4],
        ['email', 4],
        ['call', 2],
      ] as const);
      const date = now - rng.int(0, 120) * DAY_MS;
      out.push({
        ...base(ctx, Math.floor((now - date) / DAY_MS), 'createDate', 'updatedAt'),
        companyId: eu.companyId,
        companyName: eu.companyName,
        type,
        subject:
          type === 'call'
            ? 'Check-in call'
            : type === 'email'
              ? rng.pick(['Renewal discussion', 'Quarterly review follow-up', 'Onboarding next steps'])
              : rng.pick(['Internal note', 'Account plan update', 'Risk flagged']),
        description: `Conversation with ${eu.name}.`,
        snippet: `Conversation with ${eu.name}`,
        date: iso(date),
        users: [{ id: u._id, name: `${u.firstName} ${u.lastName}` }],
        endusers: [eu._id],
        activityTags: [],
        starred: rng.chance(0.1),
        pinned: false,
        archived: false,
        externalId: `CONV-${pad(i + 1, 6)}`,
        custom: {},
      });
    }
    return out;
  },

  assets: (ctx) => {
    const { rng, now } = ctx;
    const out: Rec[] = [];
    const count = scaled(ctx.n, 0.5);
    for (let i = 0; i < count; i++) {
      const c = companyOf(ctx, i * 2 + 1);
      out.push({
        ...base(ctx, rng.int(10, 600)),
        companyId: c._id,
        companyName: c.name,
        name: `${c.name} ${rng.pick(['Production', 'Staging', 'EU Instance', 'US Instance'])}`,
        serialNumber: `SN-${pad(rng.int(0, 999999), 6)}`,
        value: round(rng.int(1000, 50000), 100),
        _currency: 'USD',
        installDate: iso(now - rng.int(10, 600) * DAY_MS),
        status: rng.pick(['Active', 'Active', 'Inactive']),
        ownerId: c.owner,
        externalId: `AST-${pad(i + 1, 5)}`,
        custom: { Environment: rng.pick(['Production', 'Staging', 'Sandbox']) },
      });
    }
    return out;
  },

  objectives: (ctx) => {
    const { rng } = ctx;
    const out: Rec[] = [];
    const count = scaled(ctx.n, 0.5);
    for (let i = 0; i < count; i++) {
      const c = companyOf(ctx, i * 2);
      out.push({
        ...base(ctx, rng.int(10, 300)),
        companyId: c._id,
        companyName: c.name,
        name: rng.pick([
          'Reduce support tickets by 20%',
          'Roll out to all teams',
          'Automate weekly reporting',
          'Achieve 80% weekly active users',
          'Integrate with data warehouse',
        ]),
        health: rng.int(1, 10),
        externalId: `OBJ-${pad(i + 1, 5)}`,
        custom: {},
      });
    }
    return out;
  },

  sales: (ctx) => {
    const { rng, now } = ctx;
    const out: Rec[] = [];
    const count = scaled(ctx.n, 0.5);
    for (let i = 0; i < count; i++) {
      const c = companyOf(ctx, i * 2 + 1);
      out.push({
        ...base(ctx, rng.int(1, 365)),
        companyId: c._id,
        companyName: c.name,
        _currency: 'USD',
        salesDate: iso(now - rng.int(1, 365) * DAY_MS),
        value: round(rng.int(500, 25000), 50),
        product: rng.pick(['Onboarding Package', 'Training Day', 'Custom Integration', 'Consulting Hours']),
        externalId: `SALE-${pad(i + 1, 5)}`,
        custom: {},
      });
    }
    return out;
  },

  time_entries: (ctx) => {
    const { rng, now } = ctx;
    const out: Rec[] = [];
    const count = scaled(ctx.n, 1);
    for (let i = 0; i < count; i++) {
      const c = companyOf(ctx, i);
      const hours = rng.int(1, 16) / 2;
      const billableRate = rng.pick([0, 120, 150, 180]);
      const costRate = 60;
      out.push({
        ...base(ctx, rng.int(0, 60)),
        companyId: c._id,
        companyName: c.name,
        date: iso(now - rng.int(0, 60) * DAY_MS).slice(0, 10),
        hours,
        description: rng.pick([
          'Onboarding session',
          'Configuration work',
          'QBR preparation',
          'Training',
          'Data migration',
        ]),
        isTimeOff: false,
        isBillable: billableRate > 0,
        billingCode: billableRate > 0 ? 'PS-STD' : 'INTERNAL',
        currency: 'USD',
        billableRate,
        costRate,
        totalBilled: hours * billableRate,
        totalCost: hours * costRate,
        timesheetStatus: rng.pick(['draft', 'submitted', 'approved']),
        externalId: `TE-${pad(i + 1, 6)}`,
        custom: {},
      });
    }
    return out;
  },

  timesheets: (ctx) => {
    const { rng, now } = ctx;
    const users = ctx.records('users');
    const out: Rec[] = [];
    const today = dayNo(now);
    const monday = today - ((new Date(now).getUTCDay() + 6) % 7);
    for (let w = 4; w >= 1; w--) {
      for (const u of users) {
        const status = w === 1 ? 'submitted' : rng.pick(['approved', 'approved', 'returned', 'submitted']);
        const rec: Rec = {
          ...base(ctx, w * 7 - 5),
          assignedId: u._id,
          assignedModel: 'User',
          dateFrom: monday - w * 7,
          dateTo: monday - w * 7 + 6,
          status,
          timeEntries: [],
          externalId: `TS-${u.externalId}-W${w}`,
        };
        if (status === 'approved') {
          rec.approvedBy = users[0]._id;
          rec.dateOfApproval = iso(now - (w * 7 - 8) * DAY_MS);
        }
        out.push(rec);
      }
    }
    return out;
  },

  campaigns: (ctx) => {
    const { rng } = ctx;
    const out: Rec[] = [];
    const count = scaled(ctx.n, 0.3);
    for (let i = 0; i < count; i++) {
      const c = companyOf(ctx, i * 3);
      out.push({
        ...base(ctx, rng.int(1, 200)),
        companyId: c._id,
        companyName: c.name,
        name: rng.pick([
          'Adoption push',
          'Renewal readiness',
          'Advocacy program',
          'Feature launch webinar',
          'Win-back offer',
        ]),
        campaignPurpose: rng.pick(['adoption', 'renewal', 'advocacy', 'expansion']),
        externalId: `CMP-${pad(i + 1, 5)}`,
        custom: {},
      });
    }
    return out;
  },

  workspaces: (ctx) => {
    const { rng } = ctx;
    const out: Rec[] = [];
    const count = scaled(ctx.n, 0.2);
    for (let i = 0; i < count; i++) {
      const c = companyOf(ctx, i * 5);
      out.push({
        ...base(ctx, rng.int(1, 400)),
        companyId: c._id,
        companyName: c.name,
        name: `${c.name} ${rng.pick(['EMEA', 'Americas', 'APAC', 'HQ'])}`,
        ownerId: c.owner,
        externalId: `WS-${pad(i + 1, 5)}`,
        custom: {},
      });
    }
    return out;
  },

  dimension_data: (ctx) => {
    const { rng, now } = ctx;
    const out: Rec[] = [];
    const today = dayNo(now);
    const companies = ctx.records('companies').slice(0, Math.max(1, Math.ceil(ctx.n / 6)));
    for (const c of companies) {
      for (const [dimensionId, lo, hi] of [
        ['activeUsers', 5, 400],
        ['logins', 10, 2000],
      ] as const) {
        for (let d = 14; d >= 1; d--) {
          const day = today - d;
          out.push({
            ...base(ctx, d),
            cId: c._id,
            companyName: c.name,
            model: 'Company',
            dimensionId,
            value: rng.int(lo, hi),
            date: iso(day * DAY_MS),
            day,
          });
        }
      }
    }
    return out;
  },

  workflows: (ctx) => {
    const { rng, now } = ctx;
    const users = ctx.records('users');
    const out: Rec[] = [];
    const count = scaled(ctx.n, 0.3);
    const templates = [
      ['Onboarding Playbook', 'tpl-onboarding'],
      ['Renewal 90-day Playbook', 'tpl-renewal'],
      ['Churn Risk Recovery', 'tpl-risk'],
      ['Executive Business Review', 'tpl-ebr'],
    ] as const;
    for (let i = 0; i < count; i++) {
      const c = companyOf(ctx, i * 3 + 1);
      const [name, templateId] = rng.pick(templates);
      const start = now - rng.int(1, 120) * DAY_MS;
      const percentDone = rng.int(0, 100);
      const owner = users[i % users.length];
      out.push({
        ...base(ctx, Math.floor((now - start) / DAY_MS)),
        name,
        type: 'company',
        owner: owner._id,
        status: percentDone === 100 ? 'completed' : 'active',
        templateId,
        companyId: c._id,
        companyName: c.name,
        targetId: c._id,
        targetModel: 'Company',
        targetName: c.name,
        startDate: iso(start),
        expectedDays: 30,
        expectedEndDate: iso(start + 30 * DAY_MS),
        percentDone,
        isArchived: false,
      });
    }
    return out;
  },

  custom_fields: (ctx) => {
    const defs: [string, string, string, string[]?][] = [
      ['Segment', 'list', 'Company', SEGMENTS],
      ['Champion', 'text', 'Company'],
      ['Renewal Risk', 'list', 'Company', RISKS],
      ['Seats', 'number', 'Company'],
      ['Role Type', 'list', 'EndUser', ['Decision Maker', 'Champion', 'User']],
      ['Newsletter', 'checkbox', 'EndUser'],
      ['Contract Type', 'list', 'License', ['Annual', 'Multi-year', 'Monthly']],
      ['Discount %', 'number', 'License'],
      ['Project Type', 'list', 'Project', ['Onboarding', 'Implementation', 'Training']],
      ['Go-Live Date', 'day', 'Project'],
      ['Lead Source', 'list', 'Opportunity', ['Inbound', 'Outbound', 'Partner', 'Customer Referral']],
      ['Environment', 'list', 'Asset', ['Production', 'Staging', 'Sandbox']],
    ];
    return defs.map(([name, type, parent, listValues]) => ({
      ...base(ctx, 700),
      name,
      type,
      parent,
      ...(listValues ? { listValues } : {}),
      isHidden: false,
      isFeatured: name === 'Segment' || name === 'Renewal Risk',
      isLocked: false,
      isShared: false,
      isMandatory: false,
      isFormula: false,
    }));
  },
};
