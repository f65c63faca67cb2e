// A variant's own process: runs the job given as JSON in argv[2]; its result is the last stdout line.
import { runJob, type Job } from './jobs.js';

const job = JSON.parse(process.argv[2] ?? '') as Job;
const result = await runJob(job, (line) => console.log(line));
console.log(JSON.stringify(result));
