// Standalone engine server:
//   node --import tsx server/engine/serve.ts --port 4311 [--host 127.0.0.1] [--test-hooks]
// Serves WebSocket + HTTP at /v1/responses and, with --test-hooks, control at /__engine/*.
import { parseArgs } from 'node:util';
import { startEngineServer } from './engineServer.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4311' },
    host: { type: 'string', default: '127.0.0.1' },
    'test-hooks': { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`engine: invalid --port ${values.port}`);
  process.exit(2);
}

try {
  const server = await startEngineServer({ host: values.host, port, testHooks: values['test-hooks'] });
  console.log(`engine listening on ${server.url}`);
  const shutdown = (): void => {
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  console.error(`engine: cannot listen on ${values.host}:${port}: ${(error as Error).message}`);
  process.exit(1);
}
