/**
 * A token bucket as API Gateway applies its account-level throttle: `ratePerSecond` tokens are
 * added per second up to `burst`, each request takes one, and a request that finds less than one
 * is refused (429). The defaults of an account are 10,000 requests/s with a 5,000 burst, shared by
 * every API of the account in a Region
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
 */
export interface TokenBucketOptions {
  /** tokens added per second (steady-state requests/s) */
  ratePerSecond: number;
  /** the most tokens the bucket holds; it starts full */
  burst: number;
  /** milliseconds from any fixed origin (performance.now by default) */
  now?: () => number;
}

export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new RangeError('a token bucket needs ratePerSecond > 0 and burst ≥ 1');
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = options.burst;
    this.#at = this.#now();
  }

  /** Takes one token; false (the request is throttled) when less than one is left. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) * this.#rate) / 1000);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
