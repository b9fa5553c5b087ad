import type { NoticeIssued } from '@mash/contracts';
import { now as hubNow } from '@mash/platform/clock';

export interface ReceivedNotice {
  receivedAt: string;
  via: 'topic' | 'webhook';
  notice: NoticeIssued;
}

/**
 * The notices this adapter received, newest first, for a person to look at (GET /notices). In
 * memory and bounded: a real adapter hands each notice on to its agency's system; this board is the
 * reference implementation's stand-in for that system, not a store of record.
 */
export class NoticeBoard {
  private readonly notices: ReceivedNotice[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 500) {}

  /** False for a notice already on the board: redeliveries (same notice id) show once. */
  add(notice: NoticeIssued, via: ReceivedNotice['via'], now = hubNow()): boolean {
    if (this.seen.has(notice.noticeId)) return false;
    this.seen.add(notice.noticeId);
    this.notices.unshift({ receivedAt: now.toISOString(), via, notice });
    while (this.notices.length > this.capacity) this.seen.delete(this.notices.pop()!.notice.noticeId);
    return true;
  }

  list(filter: { contactId?: string; agencyReference?: string } = {}): ReceivedNotice[] {
    return this.notices.filter(
      (n) =>
        (!filter.contactId || n.notice.contactId === filter.contactId) &&
        (!filter.agencyReference || n.notice.agencyReference === filter.agencyReference),
    );
  }
}
