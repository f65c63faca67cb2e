// The variants every scenario compares, behind one interface. Each loads only its own code (dynamic
// import), so a raw variant's process never pays for novaloop's modules and the reverse.
import type { SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';

export const VARIANTS = [
  'raw-default',
  'raw-pooled',
  'raw-pooled-stream',
  'novaloop-converse',
  'novaloop-stream',
  'lean-converse',
  'lean-stream',
] as const;
export type Variant = (typeof VARIANTS)[number];

export const LABELS: Record<Variant, string> = {
  'raw-default': 'raw-default',
  'raw-pooled': 'raw-pooled',
  'raw-pooled-stream': 'raw-pooled, ConverseStream',
  'novaloop-converse': 'novaloop stream:false',
  'novaloop-stream': 'novaloop (streaming)',
  'lean-converse': 'novaloop lean stream:false',
  'lean-stream': 'novaloop lean (streaming)',
};

/** The novaloop variants: the agent on the SDK transport, then on the lean one. */
export const NOVALOOP_VARIANTS = [
  'novaloop-converse',
  'novaloop-stream',
  'lean-converse',
  'lean-stream',
] as const satisfies readonly Variant[];

const isNovaloop = (variant: Variant): variant is (typeof NOVALOOP_VARIANTS)[number] =>
  (NOVALOOP_VARIANTS as readonly Variant[]).includes(variant);

export interface RunnerOptions {
  endpoint: string;
  system: string | SystemContentBlock[];
  maxSteps: number;
  /** novaloop only: its client's socket limit. */
  maxSockets?: number;
}

export interface Answer {
  text: string;
  modelCalls: number;
}

/** One client or agent, reused for every run, as an application would hold it. */
export interface Runner {
  run(question: string): Promise<Answer>;
  close(): void;
}

export async function openRunner(variant: Variant, options: RunnerOptions): Promise<Runner> {
  if (isNovaloop(variant)) {
    const { infraAgent } = await import('./novaloop-agent.js');
    const agent = infraAgent({
      ...options,
      stream: variant.endsWith('-stream'),
      transport: variant.startsWith('lean-') ? 'lean' : 'sdk',
    });
    return {
      run: async (question) => {
        const result = await agent.run(question);
        return { text: result.text, modelCalls: result.steps.reduce((n, step) => n + step.attempts, 0) };
      },
      close: () => agent.close(),
    };
  }
  const [{ rawToolLoop }, clients] = await Promise.all([import('./raw-loop.js'), import('./raw-clients.js')]);
  const client = variant === 'raw-default' ? clients.rawDefaultClient(options.endpoint) : clients.rawPooledClient(options.endpoint);
  const system = typeof options.system === 'string' ? [{ text: options.system }] : options.system;
  const loop = { system, maxSteps: options.maxSteps, stream: variant === 'raw-pooled-stream' };
  return {
    run: (question) => rawToolLoop(client, question, loop),
    close: () => client.destroy(),
  };
}
