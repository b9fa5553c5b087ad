import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, MigrationInterface } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { dataKeys } from '@mash/at-rest';
import {
  KafkaPort,
  MashKafkaTransport,
  messagingConfigFromEnv,
  messagingCaseIdMigration,
  messagingDeferredMigration,
  messagingTablesMigration,
  messagingTraceMigration,
  Outbox,
  stopTracing,
} from '@mash/messaging';
import { AuditHeadPublisher } from './auditHead';
import { CLOCK, hubClock } from './clock';
import { databaseUrl } from './database';
import { statementCounter } from './databaseStatements';
import { PreparingClient } from './preparedStatements';
import { disclosureAuditMigrationsFor } from './disclosureAudit.migration';
import { HealthController } from './health.controller';

export const SERVICE = Symbol('SERVICE');

/**
 * The message pipeline's own connections: the transport's runs and the outbox relay. The HTTP side
 * shares the service's main pool (DATABASE_POOL_SIZE, default 10), and a burst of requests (a
 * front door hammered, referrers polling, a board of decisions) queued the consumers behind
 * hundreds of waiting requests: in a 1,000-contact burst the gateway waited 968 s in all for a
 * connection, and its consumer fell furthest behind (docs/architecture.md "The pipeline's own
 * connections"). One connection per partition consumed at once (3), the relay and one spare.
 */
const PIPELINE_POOL_SIZE = 5;
export const PIPELINE_DATA_SOURCE = Symbol('PIPELINE_DATA_SOURCE');

export interface ServiceOptions {
  /** Service name: consumer group, Kafka client id, log field. */
  name: string;
  /** The Postgres schema this service owns; no other service reads it. */
  schema: string;
  entities?: Type<unknown>[];
  migrations?: (new () => MigrationInterface)[];
}

@Injectable()
export class ServiceLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly port: KafkaPort,
    private readonly outbox: Outbox,
    @Inject(PIPELINE_DATA_SOURCE) private readonly pipeline: DataSource,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await this.outbox.stop();
    await this.port.close();
    if (this.pipeline.isInitialized) await this.pipeline.destroy();
    await stopTracing();
  }
}

/**
 * Everything a hub service stands on: its Postgres schema with migrations, the Kafka port, the
 * outbox, the transport that feeds @EventPattern handlers, and the health and metrics endpoints.
 */
@Global()
@Module({})
export class ServiceModule {
  static forService(opts: ServiceOptions): DynamicModule {
    return {
      module: ServiceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          // The keyring is read first: production refuses missing or demo keys before any
          // migration or handler could seal with them (docs/architecture.md, "Encryption at rest").
          useFactory: () => {
            dataKeys();
            return {
              type: 'postgres' as const,
              url: databaseUrl(),
              schema: opts.schema,
              entities: opts.entities ?? [],
              migrations: [
                messagingTablesMigration(opts.schema),
                messagingTraceMigration(opts.schema),
                messagingCaseIdMigration(opts.schema),
                messagingDeferredMigration(opts.schema),
                ...(opts.migrations ?? []),
                ...disclosureAuditMigrationsFor(opts.schema),
              ],
              migrationsTableName: 'migrations',
              migrationsRun: true,
              synchronize: false,
              extra: { max: Number(process.env.DATABASE_POOL_SIZE ?? 10), application_name: `mash-${opts.name}`, Client: PreparingClient },
              logger: statementCounter,
            };
          },
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: SERVICE, useValue: opts },
        { provide: CLOCK, useFactory: hubClock },
        { provide: KafkaPort, useFactory: () => new KafkaPort(messagingConfigFromEnv(opts.name)) },
        {
          // The main data source has run the migrations by the time this one is made.
          provide: PIPELINE_DATA_SOURCE,
          inject: [DataSource],
          useFactory: async (main: DataSource) => {
            const options = main.options as PostgresConnectionOptions;
            const pipeline = new DataSource({
              ...options,
              migrations: [],
              migrationsRun: false,
              extra: { ...options.extra, max: PIPELINE_POOL_SIZE, application_name: `mash-${opts.name}-pipeline` },
            });
            return pipeline.initialize();
          },
        },
        {
          provide: Outbox,
          inject: [PIPELINE_DATA_SOURCE, KafkaPort],
          useFactory: (ds: DataSource, port: KafkaPort) => new Outbox(ds, port, opts.schema, opts.name),
        },
        {
          provide: MashKafkaTransport,
          inject: [KafkaPort, Outbox, PIPELINE_DATA_SOURCE],
          useFactory: (port: KafkaPort, outbox: Outbox, ds: DataSource) =>
            new MashKafkaTransport(port, outbox, ds, { service: opts.name, schema: opts.schema }),
        },
        {
          provide: AuditHeadPublisher,
          inject: [DataSource, Outbox],
          useFactory: (ds: DataSource, outbox: Outbox) =>
            new AuditHeadPublisher(ds, outbox, opts.schema, Number(process.env.MASH_AUDIT_HEAD_INTERVAL_MS ?? 60_000)),
        },
        ServiceLifecycle,
      ],
      exports: [SERVICE, CLOCK, KafkaPort, Outbox, MashKafkaTransport, AuditHeadPublisher],
    };
  }
}

export const InjectService = () => Inject(SERVICE);
