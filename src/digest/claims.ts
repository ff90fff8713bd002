// The `digests` claims are store code; the digest job receives them as `DigestClaims`.
export { DigestClaims, STALE_CLAIM_SECONDS } from '../store/digest-claims';
