// Baseline for `npm run bench`: a bare pass-through proxy (Fastify + undici, no auth, no logic).
// GET /<anything> is forwarded to SANDBOX_URL with a fixed Bearer token and the body passed back.
'use strict';
const Fastify = require('fastify');
const { Pool } = require('undici');

const target = process.env.SANDBOX_URL;
const pool = new Pool(target, { connections: 64, keepAliveTimeout: 10_000 });
const app = Fastify({ logger: false });

app.get('/*', async (req, reply) => {
  const res = await pool.request({ method: 'GET', path: req.url, headers: { authorization: 'Bearer bench-baseline' } });
  reply.code(res.statusCode).header('content-type', res.headers['content-type'] ?? 'application/json');
  return res.body.text();
});

app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(() => process.send?.('ready'));
