import path from 'node:path';
import { codeChunks, RICH_TEXT_ELEMENT_MAX, richTextBlock, richTextLength } from '../../src/adapters/slack/rich-text';
import { checkRunbooks } from '../../src/core/runbook/loader';
import { markupOf, type Markup } from '../../src/core/runbook/markup';

type Json = Record<string, unknown> & { elements?: Json[] };

const elementsOf = (m: Markup): Json[] => (richTextBlock(m) as Json).elements!;

describe('richTextBlock', () => {
  it('is a rich_text block, with the block id when one is given', () => {
    expect(richTextBlock(markupOf('Hi.'), 'step-detail-x')).toEqual({
      type: 'rich_text',
      block_id: 'step-detail-x',
      elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'Hi.' }] }],
    });
    expect(richTextBlock(markupOf('Hi.'))).not.toHaveProperty('block_id');
  });

  it('renders a paragraph as one section, its line breaks as "\\n" in the text', () => {
    expect(elementsOf(markupOf('Run the probe.\nThen **read** the logs.\nDone.'))).toEqual([
      {
        type: 'rich_text_section',
        elements: [
          { type: 'text', text: 'Run the probe.\nThen ' },
          { type: 'text', text: 'read', style: { bold: true } },
          { type: 'text', text: ' the logs.\nDone.' },
        ],
      },
    ]);
  });

  it('renders a list as a bullet rich_text_list of sections', () => {
    expect(elementsOf(markupOf('- **200:** fine\n- 404: broken'))).toEqual([
      {
        type: 'rich_text_list',
        style: 'bullet',
        elements: [
          {
            type: 'rich_text_section',
            elements: [
              { type: 'text', text: '200:', style: { bold: true } },
              { type: 'text', text: ' fine' },
            ],
          },
          { type: 'rich_text_section', elements: [{ type: 'text', text: '404: broken' }] },
        ],
      },
    ]);
  });

  it('renders inline code and http(s) links natively, and a link to anything else as its title', () => {
    const m: Markup = [
      {
        type: 'paragraph',
        lines: [[{ code: 'ws_id' }, ' ', { link: 'https://g.example/d?a=<b>&c', title: 'Grafana' }, ' ', { link: 'javascript:alert(1)', title: 'evil' }]],
      },
    ];
    expect(elementsOf(m)[0]!.elements).toEqual([
      { type: 'text', text: 'ws_id', style: { code: true } },
      { type: 'text', text: ' ' },
      { type: 'link', url: 'https://g.example/d?a=<b>&c', text: 'Grafana' },
      { type: 'text', text: ' evil' },
    ]);
  });

  it('renders a code block as preformatted text, unescaped: rich text is literal', () => {
    const code = 'grep -E \'a|b\' <file> && echo "*done*" > out\\n  \n{{.reason}}';
    expect(elementsOf(markupOf(`\`\`\`bash\n${code}\n\`\`\``))).toEqual([{ type: 'rich_text_preformatted', elements: [{ type: 'text', text: code }] }]);
  });

  it('draws no box for an empty code block: Slack refuses an empty text', () => {
    expect(elementsOf(markupOf('Before.\n```\n```'))).toEqual([{ type: 'rich_text_section', elements: [{ type: 'text', text: 'Before.' }] }]);
  });

  it('renders the other spans of neutral text natively too', () => {
    const at = new Date('2025-03-01T10:00:00Z');
    const m: Markup = [{ type: 'paragraph', lines: [[{ user: 'U1' }, { channel: 'C1' }, { command: 'resolve' }, { time: at }]] }];
    expect(elementsOf(m)[0]!.elements).toEqual([
      { type: 'user', user_id: 'U1' },
      { type: 'channel', channel_id: 'C1' },
      { type: 'text', text: '/incident resolve', style: { code: true } },
      { type: 'date', timestamp: at.getTime() / 1000, format: '{date_short_pretty} {time}', fallback: '2025-03-01 10:00 UTC' },
    ]);
  });
});

describe('Slack length limits', () => {
  it('continues a code block too long for one element in further boxes, split between lines', () => {
    const line = 'kubectl -n braiflow-prod get pods -l app=pdf-worker # '.padEnd(99, 'x');
    const code = Array.from({ length: 80 }, () => line).join('\n'); // 7,999 characters
    const boxes = elementsOf(markupOf(`\`\`\`\n${code}\n\`\`\``));
    expect(boxes.length).toBe(3);
    const texts = boxes.map((b) => {
      expect(b.type).toBe('rich_text_preformatted');
      return String(b.elements![0]!.text);
    });
    for (const t of texts) {
      expect(t.length).toBeLessThanOrEqual(RICH_TEXT_ELEMENT_MAX);
      expect(t.split('\n').every((l) => l === line)).toBe(true);
    }
    expect(texts.join('\n')).toBe(code);
  });

  it('cuts only a single line longer than an element, never inside a surrogate pair', () => {
    const long = `${'a'.repeat(RICH_TEXT_ELEMENT_MAX - 1)}😀tail`;
    const chunks = codeChunks(`short\n${long}`);
    expect(chunks).toEqual(['short', `${'a'.repeat(RICH_TEXT_ELEMENT_MAX - 1)}`, '😀tail']);
  });

  it('continues long inline text in further elements of the same style', () => {
    const words = 'word '.repeat(1300).trim(); // 6,499 characters
    const [section] = elementsOf([{ type: 'paragraph', lines: [[{ strong: words }]] }]);
    const parts = section!.elements!;
    expect(parts.length).toBe(3);
    for (const p of parts) {
      expect(p).toEqual({ type: 'text', text: expect.any(String), style: { bold: true } });
      expect(String(p.text).length).toBeLessThanOrEqual(RICH_TEXT_ELEMENT_MAX);
    }
    expect(parts.map((p) => p.text).join('')).toBe(words);
  });

  it('measures the characters a reader sees', () => {
    const block = richTextBlock(markupOf('Run **this**:\n```\nls\n```\n- [Grafana](https://g.example)'));
    expect(richTextLength(block)).toBe('Run this:'.length + 'ls'.length + 'Grafana'.length);
  });
});

describe('the shipped runbooks in Slack', () => {
  const { runbooks, problems } = checkRunbooks(path.resolve(__dirname, '../../playbooks'));
  const fields = runbooks.flatMap((runbook) => [
    ...runbook.steps.map((s) => [`${runbook.id} ${s.id}`, s.detail] as const),
    ...runbook.edge_cases.flatMap((e, i) => [
      [`${runbook.id} edge case ${i}`, e.case] as const,
      [`${runbook.id} edge case ${i} fallback`, e.fallback] as const,
    ]),
  ]);

  /** The code between fences as written in the YAML, read without the parser under test. */
  const fencedIn = (text: string) => [...text.matchAll(/^```[A-Za-z0-9_+-]*\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);

  it('load cleanly and hold commands in code blocks', () => {
    expect(problems).toEqual([]);
    expect(fields.flatMap(([, text]) => fencedIn(text)).length).toBeGreaterThanOrEqual(20);
  });

  it('show every code block with its text exactly as written in the runbook', () => {
    for (const [where, text] of fields) {
      const shown = elementsOf(markupOf(text))
        .filter((e) => e.type === 'rich_text_preformatted')
        .map((e) => e.elements!.map((t) => t.text).join(''));
      expect([where, shown]).toEqual([where, fencedIn(text)]);
    }
  });

  it('keep each text element within the limit', () => {
    const texts = (e: Json): string[] => [...(typeof e.text === 'string' ? [e.text] : []), ...(e.elements ?? []).flatMap(texts)];
    for (const [, text] of fields) {
      for (const t of texts(richTextBlock(markupOf(text)))) expect(t.length).toBeLessThanOrEqual(RICH_TEXT_ELEMENT_MAX);
    }
  });
});
