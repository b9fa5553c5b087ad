import { createHash } from 'node:crypto';
import type { NoticeKind } from '@mash/contracts';

/**
 * The same decision (or contact) addressed to the same recipient as the same kind of notice always
 * gets the same id, so a decision consumed twice, or replayed from a dead letter, produces a notice
 * the receivers (and our own inbox) recognise as already seen.
 */
export function noticeIdFor(sourceId: string, recipient: string, kind: NoticeKind): string {
  // JSON of an array, not concatenation: 'a|b'+'c' and 'a'+'b|c' must not collide.
  const digest = createHash('sha256')
    .update(JSON.stringify([sourceId, recipient, kind]))
    .digest('hex');
  return `notice-${digest.slice(0, 40)}`;
}
