import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, MigrationInterface } from 'typeorm';
import { KafkaPort, MashKafkaTransport, messagingConfigFromEnv, messagingTablesMigration, Outbox } from '@mash/messaging';
import { databaseUrl } from './database';
import { HealthController } from './health.controller';

export const SERVICE = Symbol('SERVICE');

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
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await this.outbox.stop();
    await this.port.close();
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
          useFactory: () => ({
            type: 'postgres',
            url: databaseUrl(),
            schema: opts.schema,
            entities: opts.entities ?? [],
            migrations: [messagingTablesMigration(opts.schema), ...(opts.migrations ?? [])],
            migrationsTableName: 'migrations',
            migrationsRun: true,
            synchronize: false,
            extra: { max: Number(process.env.DATABASE_POOL_SIZE ?? 10), application_name: `mash-${opts.name}` },
          }),
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: SERVICE, useValue: opts },
        { provide: KafkaPort, useFactory: () => new KafkaPort(messagingConfigFromEnv(opts.name)) },
        {
          provide: Outbox,
          inject: [DataSource, KafkaPort],
          useFactory: (ds: DataSource, port: KafkaPort) => new Outbox(ds, port, opts.schema, opts.name),
        },
        {
          provide: MashKafkaTransport,
          inject: [KafkaPort, Outbox, DataSource],
          useFactory: (port: KafkaPort, outbox: Outbox, ds: DataSource) =>
            new MashKafkaTransport(port, outbox, ds, { service: opts.name, schema: opts.schema }),
        },
        ServiceLifecycle,
      ],
      exports: [SERVICE, KafkaPort, Outbox, MashKafkaTransport],
    };
  }
}

export const InjectService = () => Inject(SERVICE);
