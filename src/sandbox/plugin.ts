import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { allModels, type ModelDef } from '../planhat/catalog';
import { SandboxError, SandboxStore, type Query, type Tenant } from './store';

export const BODY_LIMIT = 32 * 1024 * 1024;
export const FAULT_KINDS = ['500', '429', 'timeout', 'reset', 'malformed', 'slow'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export const SLOW_FAULT_MS = 1500;
const WINDOW_MS = 60_000;

/** Whether a token is a tenant of this sandbox (it is called before any tenant is created). */
export type SandboxAuthorizer = (token: string) => boolean | Promise<boolean>;

export interface PluginOptions {
  rateLimitPerMin: number;
  faults: boolean;
  /** Without it every token is a tenant. */
  authorize?: SandboxAuthorizer;
  now: () => number;
}

interface ArmedFault {
  match: string;
  fault: FaultKind;
  remaining: number;
}

/** Extracts the token from `Bearer <token>` or `Basic base64(<token>:)`. */
export function tokenOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(.*)$/i.exec(header);
  if (bearer) return bearer[1].trim() || undefined;
  const basic = /^Basic\s+(.*)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1].trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return (i >= 0 ? decoded.slice(0, i) : decoded).trim() || undefined;
  }
  return undefined;
}

const OPEN = { open: true };

/**
 * Builds the encapsulated Fastify plugin serving every catalog model. It owns its JSON parsing,
 * error handler, 404 handler, auth, rate limiting and fault injection; nothing leaks to the host.
 */
export function buildPlugin(store: SandboxStore, opts: PluginOptions): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const prefix = app.prefix;
    const tenants = new WeakMap<FastifyRequest, Tenant>();
    // Rate windows live as long as their tenant (an evicted tenant's window goes with it).
    const windows = new WeakMap<Tenant, { start: number; count: number }>();
    let faults: ArmedFault[] = [];
    const heldSockets = new Set<Socket>();
    /** Pending slow faults: their timer and the function that lets the request continue. */
    const timers = new Map<NodeJS.Timeout, () => void>();

    // ---------------------------------------------------------------- parsing and errors
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        done(new SandboxError(400, 'Body is not valid JSON'), undefined);
      }
    });

    app.setErrorHandler((err: unknown, _req, reply) => {
      let status = 500;
      let message = 'Internal server error';
      if (err instanceof SandboxError) {
        status = err.status;
        message = err.message;
      } else if (typeof err === 'object' && err !== null) {
        const e = err as { statusCode?: number; message?: string };
        if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
          status = e.statusCode;
          message = e.message ?? message;
        }
      }
      if (status >= 500) reply.log.error({ err }, 'sandbox error');
      return reply.code(status).send({ error: message });
    });

    app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `Not found: ${req.method} ${pathOf(req)}` }));

    app.addHook('preClose', (done) => {
      for (const s of heldSockets) s.destroy();
      heldSockets.clear();
      // Slow requests finish now instead of hanging forever (the host drains them on close).
      for (const [t, release] of timers) {
        clearTimeout(t);
        release();
      }
      timers.clear();
      done();
    });

    function pathOf(req: FastifyRequest): string {
      const path = req.url.split('?')[0];
      return prefix && path.startsWith(prefix) ? path.slice(prefix.length) || '/' : path;
    }

    // ---------------------------------------------------------------- auth, rate limit, faults
    app.addHook('onRequest', async (req, reply) => {
      const config = req.routeOptions.config as { open?: boolean; unlimited?: boolean };
      if (config.open) return;
      const token = tokenOf(req.headers.authorization);
      if (!token) {
        return reply.code(401).send({ error: 'Unauthorized: missing API token (Authorization: Bearer <token>)' });
      }
      if (opts.authorize && !(await opts.authorize(token))) {
        return reply.code(401).send({ error: 'Unauthorized: invalid API token' });
      }
      const tenant = store.tenant(token);
      tenants.set(req, tenant);

      if (opts.rateLimitPerMin > 0 && !config.unlimited) {
        const now = opts.now();
        let w = windows.get(tenant);
        if (!w || now - w.start >= WINDOW_MS) {
          w = { start: now, count: 0 };
          windows.set(tenant, w);
        }
        w.count++;
        reply.header('X-Rate-Limit-Limit', String(opts.rateLimitPerMin));
        reply.header('X-Rate-Limit-Remaining', String(Math.max(0, opts.rateLimitPerMin - w.count)));
        if (w.count > opts.rateLimitPerMin) {
          reply.header('Retry-After', String(Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000))));
          return reply.code(429).send({ error: 'Too many requests' });
        }
      }

      if (opts.faults && faults.length) {
        const line = `${req.method} ${pathOf(req)}`;
        const armed = faults.find((f) => line.startsWith(f.match));
        if (armed) {
          armed.remaining--;
          if (armed.remaining <= 0) faults = faults.filter((f) => f !== armed);
          await inject(armed.fault, req, reply);
        }
      }
    });

    async function inject(fault: FaultKind, req: FastifyRequest, reply: FastifyReply): Promise<void> {
      const socket = req.raw.socket;
      switch (fault) {
        case '500':
          reply.code(500).type('text/plain; charset=utf-8').send('Internal Server Error (injected fault)');
          return;
        case '429':
          // Planhat's answer when its rate limit is spent, with the wait it asks for.
          reply.code(429).header('Retry-After', '1').send({ error: 'Too many requests (injected fault)' });
          return;
        case 'malformed':
          reply.code(200).type('application/json; charset=utf-8').send('{"_id": "5f1c0ffee", this is not json');
          return;
        case 'reset':
          reply.hijack();
          socket.destroy();
          return;
        case 'timeout':
          reply.hijack();
          heldSockets.add(socket);
          socket.once('close', () => heldSockets.delete(socket));
          return;
        case 'slow':
          await new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              timers.delete(t);
              resolve();
            }, SLOW_FAULT_MS);
            timers.set(t, resolve);
          });
          return;
      }
    }

    const tenantOf = (req: FastifyRequest): Tenant => {
      const t = tenants.get(req);
      if (!t) throw new SandboxError(401, 'Unauthorized');
      return t;
    };
    const query = (req: FastifyRequest) => (req.query ?? {}) as Query;
    const idParam = (req: FastifyRequest) => (req.params as { id: string }).id;

    // ---------------------------------------------------------------- fault control (sandbox extension)
    if (opts.faults) {
      app.post('/__faults', { config: OPEN, bodyLimit: BODY_LIMIT }, async (req, reply) => {
        const b = req.body as { match?: unknown; fault?: unknown; times?: unknown } | undefined;
        if (!b || typeof b !== 'object' || Array.isArray(b))
          throw new SandboxError(400, 'Body must be {match, fault, times}');
        if (typeof b.match !== 'string' || !/^[A-Z]+ \//.test(b.match)) {
          throw new SandboxError(
            400,
            'Invalid value for field match: expected "<METHOD> /<path>", e.g. "GET /companies"',
          );
        }
        if (typeof b.fault !== 'string' || !(FAULT_KINDS as readonly string[]).includes(b.fault)) {
          throw new SandboxError(400, `Invalid value for field fault: expected one of ${FAULT_KINDS.join(', ')}`);
        }
        const times = b.times === undefined ? 1 : b.times;
        if (typeof times !== 'number' || !Number.isInteger(times) || times < 1 || times > 1_000_000) {
          throw new SandboxError(400, 'Invalid value for field times: expected an integer from 1 to 1000000');
        }
        const armed: ArmedFault = { match: b.match, fault: b.fault as FaultKind, remaining: times };
        faults.push(armed);
        return reply
          .code(200)
          .send({ armed: faults.map((f) => ({ match: f.match, fault: f.fault, times: f.remaining })) });
      });
      app.delete('/__faults', { config: OPEN }, async () => {
        const cleared = faults.length;
        faults = [];
        return { cleared };
      });
      app.get('/__faults', { config: OPEN }, async () => ({
        armed: faults.map((f) => ({ match: f.match, fault: f.fault, times: f.remaining })),
      }));
    }

    app.get('/__stats', { config: { unlimited: true } }, async (req) => tenantOf(req).stats());

    // ---------------------------------------------------------------- the analytics host (user activities, metrics)
    // Planhat addresses these by the tenant token in the path; the sandbox also wants the API token
    // (it is how it finds the tenant) and checks the path's token against the tenant's.
    const analyticsOpts = { config: { unlimited: true }, bodyLimit: BODY_LIMIT };
    const tenantParam = (req: FastifyRequest) => (req.params as { tenant: string }).tenant;
    app.post('/analytics/bulk/:tenant', analyticsOpts, async (req) => {
      if (!Array.isArray(req.body)) throw new SandboxError(400, 'Body must be a JSON array of activities');
      return tenantOf(req).trackActivities(tenantParam(req), req.body);
    });
    app.post('/analytics/:tenant', analyticsOpts, async (req) =>
      tenantOf(req).trackActivities(tenantParam(req), [req.body]),
    );
    app.post('/dock/segment', analyticsOpts, async (req) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const traits = {
        ...((b.traits as Record<string, unknown>) ?? {}),
        ...((((b.context as Record<string, unknown>) ?? {}).traits as Record<string, unknown>) ?? {}),
      };
      const activity = {
        email: typeof b.email === 'string' ? b.email : traits.email,
        externalId: b.userId,
        action: b.event ?? b.type,
        date: b.timestamp,
      };
      return tenantOf(req).trackActivities(String(req.headers['x-planhat-tenant'] ?? ''), [activity]);
    });
    app.post('/dimensiondata/:tenant', analyticsOpts, async (req) =>
      tenantOf(req).pushMetrics(tenantParam(req), req.body),
    );

    // ---------------------------------------------------------------- the catalog's models
    for (const model of allModels() as readonly ModelDef[]) {
      const p = model.path;
      const ops = new Set(model.ops);
      const routeOpts = { bodyLimit: BODY_LIMIT };
      if (ops.has('list')) app.get(p, routeOpts, async (req) => tenantOf(req).list(model, query(req)));
      if (ops.has('get')) app.get(`${p}/:id`, routeOpts, async (req) => tenantOf(req).get(model, idParam(req)));
      if (ops.has('create')) app.post(p, routeOpts, async (req) => tenantOf(req).create(model, req.body));
      if (ops.has('update'))
        app.put(`${p}/:id`, routeOpts, async (req) => tenantOf(req).update(model, idParam(req), req.body));
      if (ops.has('delete'))
        app.delete(`${p}/:id`, routeOpts, async (req) => tenantOf(req).remove(model, idParam(req)));
      if (ops.has('bulk_upsert')) {
        app.put(p, routeOpts, async (req, reply) => {
          const { status, body } = tenantOf(req).upsert(model, req.body);
          return reply.code(status).send(body);
        });
      }
      // Planhat's `POST /timeentries/duplicate {ids}`.
      if (model.duplicate) {
        app.post(`${p}/duplicate`, routeOpts, async (req) => tenantOf(req).duplicate(model, req.body));
      }
    }
  };
}
