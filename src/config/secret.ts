import { inspect } from 'node:util';

/**
 * A password or key from the configuration. It prints, logs and serializes as `[secret]`, so that
 * a configuration object dumped by mistake gives nothing away; `reveal()` is the only way to it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[secret]';
  }

  toJSON(): string {
    return '[secret]';
  }

  [inspect.custom](): string {
    return '[secret]';
  }
}
