/**
 * What earlier jobs measured: how long each hop of a succeeded job took, from entering
 * `uploading` for the hop to its verify (the next hop's upload, or `succeeded`). These are the
 * samples a rehearsal predicts hop durations from (#domain/rollout/rehearsal.ts).
 */
import type { Job } from '#domain/job.ts';
import type { HopSample } from './rehearsal.ts';

export function hopSamples(job: Job): HopSample[] {
  if (job.state !== 'succeeded' || !job.plan) return [];
  const samples: HopSample[] = [];
  const { plan, transitions } = job;
  plan.forEach((hop, index) => {
    const start = transitions.find((t) => t.to === 'uploading' && t.hop === index);
    const end = transitions.find(
      (t) =>
        t.from === 'verifying' &&
        ((t.to === 'uploading' && t.hop === index + 1) || (t.to === 'succeeded' && t.hop === index)),
    );
    if (!start || !end) return;
    const seconds = (Date.parse(end.at) - Date.parse(start.at)) / 1000;
    if (seconds >= 0) samples.push({ from: hop.from, to: hop.to, seconds });
  });
  return samples;
}
