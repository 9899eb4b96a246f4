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
    }

    /** Percentiles are keyed p50, p90, p99 and so on; latencies are in milliseconds. */
    interface Histogram {
      mean: number;
      p50: number;
      p90: number;
      p99: number;
    }

    interface Result {
      errors: number;
      timeouts: number;
      non2xx: number;
      statusCodeStats: Record<string, { count: number }>;
      /** Per-request latency, 2xx responses only. */
      latency: Histogram;
      /** Requests completed per one-second sample. */
      requests: Histogram;
      warmup?: Result;
    }
  }

  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
