import Fastify from 'fastify';

/**
 * The floor for an HTTP token route: Fastify, no logger, no schema, no auth, no signing, a
 * constant JSON body of the same size as a real token response (BENCH_BODY_BYTES).
 */
const size = Number(process.env.BENCH_BODY_BYTES ?? 600);
const base = {
  token: '',
  expiresAt: '2027-01-15T08:05:00Z',
  expiresIn: 300,
  roomId: 'chat-lobby-42',
  socketUrl: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/bench',
};
const body = { ...base, token: 'x'.repeat(Math.max(0, size - JSON.stringify(base).length)) };
const app = Fastify({ logger: false });
app.post('/v1/tokens', async (_request, reply) => {
  void reply.code(201);
  return body;
});
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
