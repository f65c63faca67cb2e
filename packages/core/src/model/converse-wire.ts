import {
  ConverseCommand,
  ConverseStreamCommand,
  type BedrockRuntimeClient,
  type ConverseRequest,
  type ConverseResponse,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';

/** What a Converse answer must carry for the loop. */
export type ConverseAnswer = Pick<ConverseResponse, 'output' | 'stopReason' | 'usage'>;

/**
 * The transport seam: how one Converse or ConverseStream request goes over the wire. Everything above
 * it (retries, events, errors, assembling the answer) is the same for every implementation. An
 * implementation fails with errors shaped as the AWS SDK's (`name` = the service exception,
 * `$metadata.httpStatusCode`, or a Node network error `code`), so `classifyError` treats both alike.
 */
export interface ConverseWire {
  converse(request: ConverseRequest, signal: AbortSignal): Promise<ConverseAnswer>;
  converseStream(
    request: ConverseRequest,
    signal: AbortSignal,
  ): Promise<Iterable<ConverseStreamOutput> | AsyncIterable<ConverseStreamOutput>>;
  /** Closes the connections this wire owns. */
  close(): void;
}

/** The AWS SDK client as the wire. `owned`: the agent made the client, so closing the agent closes it. */
export function sdkWire(client: BedrockRuntimeClient, owned: boolean): ConverseWire {
  return {
    converse: (request, signal) => client.send(new ConverseCommand(request), { abortSignal: signal }),
    converseStream: async (request, signal) => {
      const response = await client.send(new ConverseStreamCommand(request), { abortSignal: signal });
      return response.stream ?? [];
    },
    close: () => {
      if (owned) client.destroy();
    },
  };
}
