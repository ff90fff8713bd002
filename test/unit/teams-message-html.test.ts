import { messageBodyText } from '../../src/adapters/teams/message-html';

describe('a Teams message body as the text its reader saw', () => {
  it('keeps what was typed, HTML-encoded by Teams, as that text', () => {
    expect(messageBodyText({ contentType: 'html', content: '<p>&lt;b&gt;not bold&lt;/b&gt; &amp;amp; *stars* &#60;3 &#x1F525;</p>' })).toBe(
      '<b>not bold</b> &amp; *stars* <3 🔥',
    );
  });

  it('drops markup, cards and code nobody saw, and shows emoji by their character', () => {
    const html =
      '<div><at id="0">Bob Okafor</at> look<br>here<attachment id="a1"><b>card</b></attachment>' +
      '<script>alert(1)</script><!-- hidden --><emoji alt="👍" title="Like"></emoji><img src="x" alt="&#x1F600;" title=">"></div>';
    expect(messageBodyText({ contentType: 'html', content: html })).toBe('Bob Okafor look\nhere👍😀');
  });

  it('puts paragraphs and list items on their own lines, with no runs of blank lines or spaces', () => {
    const html = '<p>first&nbsp;&nbsp; line</p><p></p><p></p><ul><li>one</li><li>two</li></ul>';
    expect(messageBodyText({ contentType: 'html', content: html })).toBe('first line\n\n• one\n• two');
  });

  it('leaves an entity for no character as written, and takes a text body as it is', () => {
    expect(messageBodyText({ contentType: 'html', content: '&#0; &#xD800; &#x110000; &bogus;' })).toBe('&#0; &#xD800; &#x110000; &bogus;');
    expect(messageBodyText({ contentType: 'text', content: ' <b>as typed</b> ' })).toBe('<b>as typed</b>');
    expect(messageBodyText(undefined)).toBe('');
  });
});
