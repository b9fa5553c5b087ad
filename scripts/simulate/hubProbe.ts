import { Client } from 'pg';
import { AssignerProtocol } from 'kafkajs';
import type { KafkaPort } from '@mash/messaging';
import { hubWorkRows } from './hubWork.repository';

/** The services whose outboxes, timers and consumer groups decide whether the hub is settled. */
export const SIMULATED_SERVICES = ['gateway', 'triage', 'checks', 'notifier'] as const;

/**
 * What the simulator reads of the hub to step its clock (docs/simulation.md): whether everything
 * due at the current virtual time has happened, and when the hub next has something due. These
 * are the only reads of the services' tables outside their own repositories; they count rows and
 * read times, never case content.
 */
export class HubProbe {
  private subscriptions?: Map<string, string[]>;

  private constructor(
    private readonly client: Client,
    private readonly port: KafkaPort,
    private readonly groups: readonly string[],
  ) {}

  /** `databaseUrl` must carry the virtual-clock search path, so now() below is the virtual time. */
  static async open(databaseUrl: string, port: KafkaPort, groups: readonly string[] = SIMULATED_SERVICES): Promise<HubProbe> {
    const client = new Client({ connectionString: databaseUrl, application_name: 'mash-simulator-probe' });
    await client.connect();
    return new HubProbe(client, port, groups);
  }

  /** Rows waiting to be published, plus timers and notice deliveries due now and not yet done. */
  async pendingWork(): Promise<number> {
    return hubWorkRows.pending(this.client);
  }

  /** The next time a chase, a case deadline or a notice retry falls due after now (null: none). */
  async nextDue(): Promise<Date | null> {
    return hubWorkRows.nextDue(this.client);
  }

  /**
   * Messages on the run's topics not yet handled by the hub's consumer groups. Each group's topics
   * come from its members' subscriptions (read once the hub is up), so a topic a group has never
   * committed on still counts from its earliest offset (libs/messaging/src/lagOffsets.ts explains
   * why the broker's commits alone would hide it).
   */
  async lag(): Promise<number> {
    const admin = await this.port.adminClient();
    if (!this.subscriptions) {
      const subs = new Map<string, string[]>();
      const { groups } = await admin.describeGroups(this.groups.map((g) => this.port.physical(g)));
      for (const d of groups) {
        const topics = new Set<string>();
        for (const m of d.members) for (const t of AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? []) topics.add(t);
        subs.set(d.groupId, [...topics]);
      }
      this.subscriptions = subs;
    }
    const subs = this.subscriptions;
    const perGroup = await Promise.all(
      [...subs].map(([groupId, topics]) => (topics.length ? admin.fetchOffsets({ groupId, topics }) : Promise.resolve([]))),
    );
    const topics = new Set([...subs.values()].flat());
    const ends = new Map<string, Map<number, { high: bigint; low: bigint }>>();
    await Promise.all(
      [...topics].map(async (t) => {
        const offs = await admin.fetchTopicOffsets(t);
        ends.set(t, new Map(offs.map((p) => [p.partition, { high: BigInt(p.high), low: BigInt(p.low) }])));
      }),
    );
    let lag = 0n;
    for (const offsets of perGroup) {
      for (const t of offsets) {
        for (const p of t.partitions) {
          const end = ends.get(t.topic)?.get(p.partition);
          if (!end) continue;
          const committed = p.offset === '-1' ? end.low : BigInt(p.offset);
          if (end.high > committed) lag += end.high - committed;
        }
      }
    }
    return Number(lag);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
