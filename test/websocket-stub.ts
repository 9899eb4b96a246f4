// @medplum/core 5 reads the WebSocket global when it loads; Node 20 has none (Node 22 does). The
// validators never open a socket, so an empty class is enough.
const scope = globalThis as { WebSocket?: unknown };
scope.WebSocket ??= class {};
