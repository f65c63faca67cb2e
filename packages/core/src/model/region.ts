/**
 * The region the agent's own client gets. An explicit one wins; then AWS_REGION and AWS_DEFAULT_REGION
 * (the AWS CLI reads both; the JS SDK only the first). Otherwise undefined: the SDK then runs its own
 * chain (the `region` of the profile in ~/.aws/config) and, when nothing is set, fails before sending
 * with "Region is missing", which the loop reports as RegionMissingError. Never a guessed us-east-1:
 * a wrong region is a different endpoint, price and model access.
 */
export function resolveRegion(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return explicit || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}
