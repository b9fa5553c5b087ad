import { html, timeLeft, when } from './html';

describe('workspace HTML', () => {
  it('escapes agency text, so nothing sent by an agency becomes markup', () => {
    const name = '<script>alert("x")</script> & O\'Brien';
    expect(html`<td>${name}</td>`.markup).toBe('<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#39;Brien</td>');
    expect(html`<ul>${['<a>', html`<li>ok</li>`]}</ul>`.markup).toBe('<ul>&lt;a&gt;<li>ok</li></ul>');
    expect(html`${undefined}${null}${false}${0}`.markup).toBe('0');
  });

  it('says time left and time overdue in the words the countdown script uses', () => {
    expect(timeLeft(4 * 3600 - 1)).toBe('3h 59m 59s left');
    expect(timeLeft(65)).toBe('1m 05s left');
    expect(timeLeft(-125)).toBe('overdue by 2m 05s');
    expect(timeLeft(2 * 86400 + 3600 + 60)).toBe('2d 1h 01m left');
  });

  it('shows times on the London clock', () => {
    expect(when('2026-07-01T12:30:00Z')).toBe('1 Jul 2026, 13:30');
    expect(when('2026-01-01T12:30:00Z')).toBe('1 Jan 2026, 12:30');
  });
});
