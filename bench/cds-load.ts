import autocannon from 'autocannon';

/** What cds.bench.ts sends this process: the call to make, and one EHR JWT for each time it is sent. */
export interface CdsLoad {
  url: string;
  body: string;
  connections: number;
  tokens: string[];
}

/**
 * The load generator of the CDS Hooks bench, in a process of its own: its CPU time is not the
 * service's, and its event loop is not the service's either. Each request takes the next token.
 */
process.once('message', (load: CdsLoad) => {
  let next = 0;
  autocannon({
    url: load.url,
    connections: load.connections,
    pipelining: 1,
    amount: load.tokens.length,
    requests: [
      {
        method: 'POST',
        body: load.body,
        setupRequest: (request) => ({
          ...request,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${load.tokens[next++] ?? load.tokens[load.tokens.length - 1]}`,
          },
        }),
      },
    ],
  }).then(
    (result) => process.send!({ result }, () => process.disconnect()),
    (error: unknown) => process.send!({ error: String(error) }, () => process.disconnect()),
  );
});
