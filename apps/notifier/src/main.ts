import 'reflect-metadata';
import { runMain, runService } from '@mash/platform';
import { NotifierModule } from './app.module';

/** Notifier: every referrer hears back, every contributor too. */
async function startNotifier(port = Number(process.env.NOTIFIER_PORT ?? 8083)) {
  return runService(NotifierModule, { name: 'notifier', schema: 'notifier', port });
}

runMain('notifier', () => startNotifier());
