import {
  NODE_REGION_CONFIG_FILE_OPTIONS,
  NODE_REGION_CONFIG_OPTIONS,
  NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS,
} from '@smithy/config-resolver';
import { loadConfig } from '@smithy/node-config-provider';
import { resolveRegion } from '../region.js';

/** Where the lean transport sends, and the region it signs for. */
export interface Target {
  url: URL;
  region: string;
}

export interface TargetConfig {
  region?: string;
  endpoint?: string;
  useFipsEndpoint?: boolean;
}

/**
 * The SDK's resolution, in its order: region from the config, AWS_REGION / AWS_DEFAULT_REGION, then the
 * profile's `region` (its own loader); endpoint from the config, AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
 * AWS_ENDPOINT_URL, else the regional endpoint (`bedrock-runtime-fips` with FIPS on, from the config,
 * AWS_USE_FIPS_ENDPOINT or the profile's `use_fips_endpoint`). No region is the SDK's "Region is
 * missing", which the driver reports as RegionMissingError.
 */
export async function resolveTarget(config: TargetConfig, env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const region =
    resolveRegion(config.region, env) ??
    (await loadConfig(NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS)().catch(() => undefined));
  if (!region) throw new Error('Region is missing');
  const configured = config.endpoint ?? env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? env.AWS_ENDPOINT_URL;
  if (configured) return { url: new URL(configured), region };
  const fips = config.useFipsEndpoint ?? (await loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS)().catch(() => false));
  return { url: new URL(`https://bedrock-runtime${fips ? '-fips' : ''}.${region}.amazonaws.com`), region };
}
