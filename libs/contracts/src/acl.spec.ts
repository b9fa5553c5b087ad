import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHECK_AGENCIES, SUBMITTING_AGENCIES } from './agencies';
import { HUB_SERVICES, KAFKA_GRANTS, KAFKA_PRINCIPALS, kafkaGrant } from './acl';
import { checkRepliedTopic, checkRequestedTopic, contactInboundTopic, noticeIssuedTopic, TOPIC_DEFINITIONS, TOPICS } from './topics';

const root = join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

const topicsMatching = (pattern: string) => {
  const re = new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^.]+')}$`);
  return TOPIC_DEFINITIONS.map((d) => d.name).filter((n) => re.test(n));
};
const KIND_FUNCTIONS: Record<string, string[]> = {
  checkRequestedTopic: CHECK_AGENCIES.map(checkRequestedTopic),
  checkRepliedTopic: CHECK_AGENCIES.map(checkRepliedTopic),
  contactInboundTopic: SUBMITTING_AGENCIES.map(contactInboundTopic),
  noticeIssuedTopic: [...new Set([...SUBMITTING_AGENCIES, ...CHECK_AGENCIES])].map(noticeIssuedTopic),
};

/** What a service's code subscribes to (@EventPattern) and publishes (`topic: ...` in its outbox or ctx.publish calls). */
function usedBy(service: string): { reads: Set<string>; writes: Set<string> } {
  const reads = new Set<string>();
  const writes = new Set<string>();
  // What libs/platform publishes, every hub service publishes (the audit chain's head).
  for (const file of [...sources(join(root, 'apps', service, 'src')), ...sources(join(root, 'libs', 'platform', 'src'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/@EventPattern\((?:TOPICS\.(\w+)|'([^']+)')\)/g)) {
      const pattern = m[1] ? TOPICS[m[1] as keyof typeof TOPICS] : m[2];
      topicsMatching(pattern).forEach((t) => reads.add(t));
    }
    for (const m of text.matchAll(/topic: (?:TOPICS\.(\w+)|(\w+Topic)\()/g)) {
      if (m[1]) writes.add(TOPICS[m[1] as keyof typeof TOPICS]);
      else (KIND_FUNCTIONS[m[2]] ?? []).forEach((t) => writes.add(t));
    }
  }
  return { reads, writes };
}

describe('Kafka ACLs (who may read and write what)', () => {
  it('has exactly one grant per principal except admin, and infra/kafka.sh formats the broker with the same users', () => {
    expect(KAFKA_GRANTS.map((g) => g.principal).sort()).toEqual(KAFKA_PRINCIPALS.filter((p) => p !== 'admin').sort());
    const script = readFileSync(join(root, 'infra', 'kafka.sh'), 'utf8');
    const list = /^KAFKA_PRINCIPALS=\(([^)]*)\)/m.exec(script);
    expect(list).not.toBeNull();
    expect(list![1].split(/\s+/).filter(Boolean).sort()).toEqual([...KAFKA_PRINCIPALS].sort());
  });

  it('names only topics of the definition file', () => {
    const known = new Set(TOPIC_DEFINITIONS.map((d) => d.name));
    for (const g of KAFKA_GRANTS)
      for (const t of [...g.read, ...g.write, ...g.describe])
        expect({ principal: g.principal, topic: t, known: known.has(t) }).toEqual({ principal: g.principal, topic: t, known: true });
  });

  it.each(HUB_SERVICES)('%s reads exactly what its handlers subscribe to and writes at least what its code publishes', (service) => {
    const { reads, writes } = usedBy(service);
    const g = kafkaGrant(service)!;
    expect(reads.size).toBeGreaterThan(0);
    expect([...g.read].sort()).toEqual([...reads].sort());
    expect(writes.size).toBeGreaterThan(0);
    for (const t of writes) expect({ service, writes: t, granted: g.write.includes(t) }).toEqual({ service, writes: t, granted: true });
    // Nothing granted beyond what the code publishes, except the dead-letter topic the port parks in.
    for (const t of g.write)
      if (t !== TOPICS.deadLetter) expect({ service, granted: t, used: writes.has(t) }).toEqual({ service, granted: t, used: true });
  });

  it('a connector reads only its own agency requests and writes only its own replies (and dead letters)', () => {
    for (const a of CHECK_AGENCIES) {
      const g = kafkaGrant(`connector-${a}`)!;
      expect(g.read).toEqual([checkRequestedTopic(a)]);
      expect(g.write.sort()).toEqual([checkRepliedTopic(a), TOPICS.deadLetter].sort());
      expect(g.groups).toEqual([`connector-${a}`]);
      expect(g.describe).toEqual([]);
    }
  });

  it('an adapter writes only its inbound topic and reads only its notice topic', () => {
    for (const a of SUBMITTING_AGENCIES) {
      const g = kafkaGrant(`adapter-${a}`)!;
      expect(g.read).toEqual([noticeIssuedTopic(a)]);
      expect(g.write.sort()).toEqual([contactInboundTopic(a), TOPICS.deadLetter].sort());
      expect(g.groupPrefixes).toEqual([`adapter-${a}`]);
      // The prefix must not cover another agency's adapter groups.
      for (const other of SUBMITTING_AGENCIES) if (other !== a) expect(`adapter-${other}`.startsWith(`adapter-${a}`)).toBe(false);
    }
  });

  it('only triage writes ratings; only the gateway writes decisions, consent overrides and accepted contacts', () => {
    const writers = (t: string) => KAFKA_GRANTS.filter((g) => g.write.includes(t)).map((g) => g.principal);
    expect(writers(TOPICS.caseRated)).toEqual(['triage']);
    expect(writers(TOPICS.decisionRecorded)).toEqual(['gateway']);
    expect(writers(TOPICS.consentOverride)).toEqual(['gateway']);
    // A legal hold comes from a signed-in manager at the gateway and must reach every service that purges.
    expect(writers(TOPICS.legalHold)).toEqual(['gateway']);
    expect(
      KAFKA_GRANTS.filter((g) => g.read.includes(TOPICS.legalHold))
        .map((g) => g.principal)
        .sort(),
    ).toEqual(['checks', 'notifier', 'triage']);
    expect(writers(TOPICS.contactReceived)).toEqual(['gateway']);
    expect(writers(checkRequestedTopic('education'))).toEqual(['checks']);
    expect(writers(checkRepliedTopic('education'))).toEqual(['connector-education']);
  });
});
