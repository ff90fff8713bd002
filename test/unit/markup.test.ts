import { firstLine, markupOf, markupPlainText, parseMarkup, type Markup } from '../../src/core/runbook/markup';

/** The blocks of `src`, failing the test if the parser found anything to refuse. */
function clean(src: string): Markup {
  const { markup, problems } = parseMarkup(src);
  expect(problems).toEqual([]);
  return markup;
}

const lines = (...src: string[]) => src.join('\n');

describe('parseMarkup: blocks', () => {
  it('keeps each line of a paragraph as a line break, one Text per line', () => {
    expect(clean('Run the probe.\nThen read the logs.')).toEqual([{ type: 'paragraph', lines: [['Run the probe.'], ['Then read the logs.']] }]);
  });

  it("separates blocks at a blank line, and a YAML block's trailing newline makes no empty block", () => {
    expect(clean('First.\n\nSecond.\n')).toEqual([
      { type: 'paragraph', lines: [['First.']] },
      { type: 'paragraph', lines: [['Second.']] },
    ]);
    expect(clean('')).toEqual([]);
    expect(clean('\n\n')).toEqual([]);
  });

  it('reads "- " lines as one list, which ends at a blank or non-bullet line', () => {
    expect(clean(lines('Outcomes:', '- 200: fine', '- 404: broken', 'Then continue.', '', '- alone'))).toEqual([
      { type: 'paragraph', lines: [['Outcomes:']] },
      { type: 'list', items: [['200: fine'], ['404: broken']] },
      { type: 'paragraph', lines: [['Then continue.']] },
      { type: 'list', items: [['alone']] },
    ]);
  });

  it('keeps a fenced code block byte for byte: templates, placeholders, &, *, backslashes, quotes, indentation, trailing spaces', () => {
    const code = lines(
      '{app="documents-api"} |= "/pdf" | line_format "{{.reason}} {{.storage_key}}"',
      'aws s3api head-object --key <storage_key> && echo ok * 2',
      'curl -w \'%{http_code}\\n\' "$(sign --key a\\\\b)"   ',
      '',
      '    - indented, not a list',
      '# not a heading',
      '**not bold** `not code` [not](https://a.link) <b>not html</b>',
      '```bash',
    );
    const { markup, problems } = parseMarkup(`Run:\n\`\`\`bash\n${code}\n\`\`\`\nDone.\n`);
    expect(problems).toEqual([]);
    expect(markup).toEqual([
      { type: 'paragraph', lines: [['Run:']] },
      { type: 'code', code, lang: 'bash' },
      { type: 'paragraph', lines: [['Done.']] },
    ]);
  });

  it('opens a fence right after a paragraph line or a list item, and gives no language when none is written', () => {
    expect(clean(lines('- check:', '```', 'kubectl get hpa', '```'))).toEqual([
      { type: 'list', items: [['check:']] },
      { type: 'code', code: 'kubectl get hpa', lang: null },
    ]);
  });
});

describe('parseMarkup: inline', () => {
  it('reads **bold**, `code` and [links](https://…) into spans', () => {
    expect(clean('- **200:** read `reason=not_visible` in [Grafana](https://grafana.example/d/x?a=b_c).')).toEqual([
      {
        type: 'list',
        items: [[{ strong: '200:' }, ' read ', { code: 'reason=not_visible' }, ' in ', { link: 'https://grafana.example/d/x?a=b_c', title: 'Grafana' }, '.']],
      },
    ]);
  });

  it('keeps inline code literal, and leaves underscores, bare URLs and placeholders as text', () => {
    expect(clean('`**x** [a](https://b)` storage_key ws_id _x_ https://app.example/a_b?c=d <ws_id> <storage_key from the log line>')).toEqual([
      {
        type: 'paragraph',
        lines: [[{ code: '**x** [a](https://b)' }, ' storage_key ws_id _x_ https://app.example/a_b?c=d <ws_id> <storage_key from the log line>']],
      },
    ]);
  });

  it('allows a lone star and a star inside a word: 5 * 3, ws_*', () => {
    expect(clean('5 * 3 and braiflow-documents/* and ws_*')).toEqual([{ type: 'paragraph', lines: [['5 * 3 and braiflow-documents/* and ws_*']] }]);
  });

  it('allows typographic quotes and dashes in prose', () => {
    expect(parseMarkup('He said “roll back” – now.').problems).toEqual([]);
  });
});

describe('parseMarkup: refusals, each with its line within the field', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['a heading', 'Intro\n# Heading', 2, /^headings are not supported: .*\*\*bold\*\*/],
    ['a numbered list (1.)', 'Steps:\n1. first', 2, /^numbered lists are not supported: use "- " bullets/],
    ['a numbered list (1))', '1) first', 1, /^numbered lists/],
    ['a block quote', 'a\nb\n> quoted', 3, /^block quotes are not supported/],
    ['a table', '| a | b |', 1, /^tables are not supported: use a "- " list/],
    ['an image', 'See ![graph](https://g.example/x.png)', 1, /^images are not supported: link to the image instead/],
    ['a nested bullet', '- top\n  - nested', 2, /^nested or indented list items are not supported/],
    ['a bullet indented by one space', ' - item', 1, /^nested or indented list items/],
    ['a "* " bullet', '* item', 1, /^list items start with "- "/],
    ['an indented command', 'Logs query:\n  {app="x"} |= "y"', 2, /^indented lines are not supported: put commands in a fenced code block/],
    ['a tab-indented line', '\tkubectl get pods', 1, /put commands in a fenced code block/],
    ['single-star emphasis', 'this is *important* here', 1, /^single-star emphasis \*important\* is not supported: use \*\*bold\*\*/],
    ['strikethrough', 'a\n~~old~~ new', 2, /^strikethrough ~~ is not supported/],
    ['an unclosed fence', 'Run:\n```bash\nkubectl get pods', 2, /^this code block is never closed: end it with a line holding only ```/],
    ['a fence with more than a language word', '```bash script\nx\n```', 1, /^a code fence is a line holding only ```/],
    ['a closing fence with trailing spaces', '```\nx\n``` ', 1, /never closed/],
    ['a ~~~ fence', 'Run:\n~~~', 2, /^fence code with ```, not ~~~/],
    ['an unclosed **', 'ok\n**200: fine', 2, /^unclosed \*\*: close the bold text with \*\* on the same line/],
    ['an unbalanced backtick', 'run `kubectl get pods now', 1, /^unbalanced backtick/],
    ['empty inline code', 'a `` b', 1, /^empty inline code/],
    ['a link that is not http(s)', 'see [docs](ftp://files.example/x)', 1, /^the link to "ftp:\/\/files.example\/x" is not an http\(s\) URL/],
    ['a relative link', 'see [docs](/runbooks/x)', 1, /not an http\(s\) URL/],
    ['a typographic quote in a code block', 'Run:\n```\nok\ngrep “x”\n```', 4, /^the code block holds the typographic character “: type the plain " instead/],
    ['a dash in a code block', '```\nkubectl rollout status —timeout=5m\n```', 2, /typographic character —: type the plain - instead/],
    ['a typographic quote in inline code', 'run `grep ‘x’`', 1, /^the inline code holds the typographic character ‘/],
    ['an empty list item', '- a\n- ', 2, /^this list item is empty/],
  ];

  it.each(cases)('refuses %s', (_, src, line, message) => {
    const { problems } = parseMarkup(src);
    expect(problems).toEqual([{ line, message: expect.stringMatching(message) }]);
  });

  it('still reads a malformed opening fence as the start of a code block, so its closing fence ends it', () => {
    const { markup, problems } = parseMarkup('```bash script\nkubectl get pods\n```\nAfter.');
    expect(problems).toEqual([{ line: 1, message: expect.stringMatching(/^a code fence is/) }]);
    expect(markup).toEqual([
      { type: 'code', code: 'kubectl get pods', lang: null },
      { type: 'paragraph', lines: [['After.']] },
    ]);
  });

  it('reports every problem of a field, in line order', () => {
    const { problems } = parseMarkup(lines('# Title', 'fine', '1. one', '  indented', '**open'));
    expect(problems.map((p) => p.line)).toEqual([1, 3, 4, 5]);
  });
});

describe('parseMarkup: HTML tags', () => {
  it.each([
    ['<b>bold</b>', 2],
    ['<br>', 1],
    ['<br/>', 1],
    ['line<br />break', 1],
    ['<div class="x">', 1],
    ['<B>loud</B>', 2],
    ['<a href="https://x">x</a>', 2],
    ['error <Code>x</Code>', 2],
  ])('refuses %s', (src, count) => {
    const { problems } = parseMarkup(src);
    expect(problems).toHaveLength(count);
    for (const p of problems) expect(p).toEqual({ line: 1, message: expect.stringMatching(/^HTML tags such as <.+> are not supported: use \*\*bold\*\*/) });
  });

  it('names an element with attributes by its start', () => {
    expect(parseMarkup('<div class="warn">').problems[0]!.message).toMatch(/^HTML tags such as <div class=…> are not supported/);
  });

  it.each([
    '<ws_id>',
    '<queue>',
    '<node>',
    '<worker>',
    '<what> since <UTC>',
    '--replicas=<current+2>',
    '<storage_key from the log line>',
    '<reason / queue / head-object>',
    '<code of the error>',
    'a < b and c > d',
    '`<b>bold</b>`',
    '```\n<div class="x"><br></div>\n```',
  ])('keeps %s as text', (src) => {
    expect(parseMarkup(src).problems).toEqual([]);
  });
});

describe('markupOf', () => {
  it('renders refused syntax as its literal characters instead of throwing', () => {
    expect(markupOf('# Title\n**open `tick\n  indented')).toEqual([{ type: 'paragraph', lines: [['# Title'], ['**open `tick'], ['  indented']] }]);
    expect(markupOf('see [docs](ftp://x) and <b>x</b>')).toEqual([{ type: 'paragraph', lines: [['see [docs](ftp://x) and <b>x</b>']] }]);
  });

  it('keeps the text of an unclosed fence as code', () => {
    expect(markupOf('Run:\n```\nkubectl get pods\n')).toEqual([
      { type: 'paragraph', lines: [['Run:']] },
      { type: 'code', code: 'kubectl get pods', lang: null },
    ]);
  });

  it('parses a text once and returns the same structure after', () => {
    const src = 'Cached.\n- once';
    expect(markupOf(src)).toBe(markupOf(src));
    expect(markupOf(src)).toEqual(parseMarkup(src).markup);
  });
});

describe('firstLine', () => {
  it('is the first paragraph line', () => {
    expect(firstLine(markupOf('Run the **probe**.\nThen more.'))).toEqual(['Run the ', { strong: 'probe' }, '.']);
  });

  it('is the first list item when the text starts with a list', () => {
    expect(firstLine(markupOf('- **200:** fine\n- 404: not'))).toEqual([{ strong: '200:' }, ' fine']);
  });

  it('is the first non-blank line of a leading code block, as code', () => {
    expect(firstLine(markupOf('```\n\nkubectl get pods\nkubectl get hpa\n```'))).toEqual([{ code: 'kubectl get pods' }]);
  });

  it('is empty for empty text', () => {
    expect(firstLine(markupOf(''))).toEqual([]);
    expect(firstLine(markupOf('```\n```'))).toEqual([]);
  });
});

describe('markupPlainText', () => {
  it('shows paragraphs, "- " items and code as plain characters, blocks separated by a blank line', () => {
    const src = 'Run **this**:\nnow\n```\nkubectl get <pod>\n```\n- [Grafana](https://g.example) `x`';
    expect(markupPlainText(markupOf(src))).toBe('Run this:\nnow\n\nkubectl get <pod>\n\n- Grafana x');
  });
});
