/**
 * The rule every service applies to an agency's reply time: no agency is given longer than the
 * case, because the case goes to decision at its deadline. A due time after the deadline is due at
 * the deadline.
 */
export function replyDueBy(dueAt: Date, caseDeadline: Date): Date {
  return dueAt.getTime() > caseDeadline.getTime() ? caseDeadline : dueAt;
}
