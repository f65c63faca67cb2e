// An app's ESM program using @novaloop/batch, run by test/package.test.ts against the packed tarballs.
import { batch } from '@novaloop/batch';
import { startLocalBedrock } from '@novaloop/bedrock-local';

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
