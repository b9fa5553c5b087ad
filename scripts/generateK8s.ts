import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@mash/policy';
import { kafkaYaml } from './kafkaManifests';

/** npm run generate:k8s: rewrites infra/k8s/kafka.yaml from the contracts. */
const file = join(repoRoot(), 'infra', 'k8s', 'kafka.yaml');
writeFileSync(file, kafkaYaml());
process.stdout.write(`wrote ${file}\n`);
