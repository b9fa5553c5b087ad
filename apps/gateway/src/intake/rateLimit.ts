// The token bucket lives in @mash/platform so the agency adapters hold the same limit as the gateway.
export { RateLimiter } from '@mash/platform';
