// autocannon ships no type declarations; this covers the part of its programmatic API the benchmarks use.
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      method?: 'GET' | 'POST';
      headers?: Record<string, string>;
      body?: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      pipelining?: number;
      /** Worker threads that send the requests, off the calling thread's event loop. */
      workers?: number;
      /** A run before the measured one whose numbers are reported apart, under `warmup`. */
      warmup?: { connections?: number; duration?: number };
      /** Requests to send in all; the run ends after them instead of after `duration`. */
      amount?: number;
      /** Requests sent in turn; `setupRequest` may change each one just before it is sent (not with workers). */
      requests?: Array<{
        method?: 'GET' | 'POST';
        body?: string;
        headers?: Record<string, string>;
        setupRequest?: (request: RequestParams) => RequestParams;
      }>;
    }

    interface RequestParams {
      method?: string;
      path?: string;
      body?: string;
      headers?: Record<string, string>;
    }

    /** Percentiles are keyed p50, p90, p99 and so on; latencies are in milliseconds. */
    interface Histogram {
      mean: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
    }

    interface Result {
      errors: number;
      timeouts: number;
      non2xx: number;
      statusCodeStats: Record<string, { count: number }>;
      /** Per-request latency, 2xx responses only. */
      latency: Histogram;
      /** Requests completed per one-second sample; `total` of the whole run. */
      requests: Histogram & { total: number };
      warmup?: Result;
      /** Seconds the run took. */
      duration: number;
    }
  }

  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
