// The CommonJS flavour of batch.mjs (require of the ESM packages), run by test/package.test.ts.
const { batch } = require('@novaloop/batch');
const { startLocalBedrock } = require('@novaloop/bedrock-local');

async function main() {
  const bedrock = await startLocalBedrock({ script: { classify: [{ match: 'charged', label: 'BILLING' }, { label: 'OTHER' }] } });
  try {
    const report = await batch(
      [
        { id: 'a', text: 'I was charged twice' },
        { id: 'b', text: 'hello' },
      ],
      { classify: { labels: ['BILLING', 'OTHER'] } },
      {
        clientConfig: { region: 'us-east-1', endpoint: bedrock.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
        progress: false,
      },
    );
    console.log(JSON.stringify({ labels: report.results.map((r) => (r.ok ? r.value : r.error.code)), priced: report.costUsd > 0 }));
  } finally {
    await bedrock.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
