import { checkedText, clippedText, MAX_TEXT } from '../../src/core/incident/text-limits';
import { refusal } from '../support/refusals';

// What people type into summaries, reasons and action items, as the headers and topics will show it.
describe('checkedText', () => {
  it('counts characters as people see them: 300 emoji are 300, not 600', () => {
    const emoji = '🔥'.repeat(300);
    expect(checkedText(emoji, 'summary')).toBe(emoji);
    // A family emoji (7 code points, 11 UTF-16 units) and a flag are one character each.
    expect(checkedText('👨‍👩‍👧‍👦🇫🇷'.repeat(MAX_TEXT / 2), 'summary')).toHaveLength((MAX_TEXT / 2) * 15);
    expect(refusal(() => checkedText('🔥'.repeat(MAX_TEXT + 1), 'summary'))).toEqual({
      code: 'too_long',
      field: 'summary',
      max: MAX_TEXT,
      length: MAX_TEXT + 1,
    });
  });

  it('refuses text that shows nothing: zero-width, joiners, format characters and spaces only', () => {
    for (const blank of ['\u200B\u200B\u200B', '\u200C\u200D\uFEFF', ' \u2060 \u00AD ', '\u3164', '\u202E\u200B']) {
      expect(refusal(() => checkedText(blank, 'summary'))).toEqual({ code: 'invisible_text', field: 'summary' });
    }
    // Nothing typed at all is not a refusal: the field is optional where it is.
    expect(checkedText('   ', 'reason')).toBeNull();
    expect(checkedText(undefined, 'reason')).toBeNull();
  });

  it('strips bidi controls, so a summary reads the same in every header, topic and list', () => {
    expect(checkedText('pdf 404 \u202Egnp.exe\u202C', 'summary')).toBe('pdf 404 gnp.exe');
    expect(checkedText('\u2066a\u2069 \u200Eb\u200F \u061Cc \u202Ad\u202B\u202D', 'action item')).toBe('a b c d');
    // Zero-width joiners inside an emoji are what make it one; they stay.
    expect(checkedText('ok 👩‍💻', 'summary')).toBe('ok 👩‍💻');
  });
});

describe('clippedText: a pinned message, taken as written', () => {
  it('drops bidi controls, keeps short text, and gives null for text that shows nothing', () => {
    expect(clippedText('  a\u202Eb  ')).toBe('ab');
    expect(clippedText('\u200b \u2800')).toBeNull();
    expect(clippedText(undefined)).toBeNull();
  });

  it('cuts text over MAX_TEXT to MAX_TEXT characters with an ellipsis, never inside an emoji', () => {
    const cut = clippedText('👩🏽‍💻'.repeat(MAX_TEXT + 10))!;
    expect(cut.endsWith('…')).toBe(true);
    expect([...new Intl.Segmenter().segment(cut)]).toHaveLength(MAX_TEXT);
    expect(cut.slice(0, -1)).toBe('👩🏽‍💻'.repeat(MAX_TEXT - 1));
  });
});
