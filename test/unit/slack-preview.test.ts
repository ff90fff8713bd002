import { slackPreviewHtml } from '../../docs/tools/slack-preview';

function page(blocks: any[]): string {
  return slackPreviewHtml([{ author: 'Incident bot', time: '03:00', blocks }], { now: new Date('2025-03-07T03:07:00Z') });
}

/** What a browser shows for the text of an element whose content is plain text (no child tags). */
function decode(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('slackPreviewHtml', () => {
  it('shows hostile section text as text, never as markup', () => {
    const html = page([
      { type: 'section', text: { type: 'plain_text', text: 'Title <script>alert(1)</script> &lt;b&gt;' } },
      { type: 'section', text: { type: 'mrkdwn', text: '*Cause* <script>alert(2)</script> &lt;b&gt;bold?&lt;/b&gt; <img src=x onerror=alert(3)>' } },
    ]);
    expect(html).not.toMatch(/<script|<img|<b>bold/i);
    // plain_text is literal: the entity-looking text stays as typed.
    expect(html).toContain('Title &lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;b&amp;gt;');
    // mrkdwn decodes its own escapes once: the reader sees "<b>bold?</b>", as characters.
    expect(html).toContain('&lt;b&gt;bold?&lt;/b&gt;');
    expect(html).toContain('<b>Cause</b>');
  });

  it('renders a rich_text_preformatted block exactly as written', () => {
    const code = '\n{app="documents-api"} |= "/pdf" | line_format "{{.reason}}"\n\tif a < b && c > d then *x* _y_ `z` :x: <@U1>  \n';
    const html = page([{ type: 'rich_text', elements: [{ type: 'rich_text_preformatted', elements: [{ type: 'text', text: code }] }] }]);
    const pre = /<pre class="rt-pre">([\s\S]*?)<\/pre>/.exec(html);
    expect(pre).not.toBeNull();
    // The HTML parser drops one newline right after <pre>, which the renderer doubles for that reason.
    expect(decode(pre![1]!).replace(/^\n/, '')).toBe(code);
    expect(pre![1]).not.toMatch(/<(?!\/?pre)/);
  });

  it('shows mentions and dates as a reader would see them', () => {
    const html = slackPreviewHtml(
      [
        {
          author: 'Incident bot',
          time: '03:00',
          blocks: [
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: 'Done by <@UBOB0002> <!date^1741316520^{date_short_pretty} {time}|2025-03-07 03:02 UTC> (<!date^1741316520^{ago}|x>)',
              },
            },
          ],
        },
      ],
      { now: new Date('2025-03-07T03:07:00Z'), users: { UBOB0002: 'bob' } },
    );
    expect(html).toContain('@bob');
    expect(html).toContain('Today 03:02');
    expect(html).toContain('5 minutes ago');
  });
});
