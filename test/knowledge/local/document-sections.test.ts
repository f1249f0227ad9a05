import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../../functions/knowledge/local/document-sections.js';
import { htmlToMarkdown } from '../../../functions/knowledge/local/html-to-markdown.js';
import { chunkDocument } from '../../../functions/knowledge/local/local-index.js';

const page = `<!DOCTYPE html><html><head><title>Caching &amp; keys</title>
<style>body { color: red }</style><script>track("visit")</script></head>
<body><nav><a href="/">Home</a></nav>
<h1>Key cache</h1><p>Keys are cached for <b>10&nbsp;seconds</b> &mdash; then read again.</p>
<!-- a comment that is not text -->
<h2>Revoking</h2><ul><li>Block the key</li><li>Delete it</li></ul>
<table><tr><th>field</th><th>meaning</th></tr><tr><td>blocked</td><td>refuse requests</td></tr></table>
<pre><code>curl -d '{"blocked": true}'
  localhost:4000/key/update</code></pre>
</body></html>`;

describe('extractDocument', () => {
  it('splits Markdown at headings, keeps the heading trail and ignores # inside code fences', () => {
    const markdown = '# Guide\n\nIntro text.\n\n## Install\n\nRun it:\n\n```sh\n# not a heading\nnpm ci\n```\n\n### On Linux\n\nWorks.\n\n## Use\n\nCall it.';

    const document = extractDocument(markdown, 'md', 'fallback');

    expect(document.title).toBe('Guide');
    expect(document.sections).toEqual([
      { headings: [], text: 'Intro text.' },
      { headings: ['Install'], text: 'Run it:\n\n```sh\n# not a heading\nnpm ci\n```' },
      { headings: ['Install', 'On Linux'], text: 'Works.' },
      { headings: ['Use'], text: 'Call it.' },
    ]);
  });

  it('takes the file name as title when a document has no leading title', () => {
    expect(extractDocument('Just text.', 'md', 'release notes').title).toBe('release notes');
    expect(extractDocument('just a note, lower case.\n\nmore.', 'txt', 'notes').title).toBe('notes');
  });

  it('reads short capitalised lines of a text file as headings', () => {
    const text = 'Usage records\n\nEvery request leaves one item.\n\nQuerying spend\n\nGET /spend/logs returns records.\nFilter by team.';

    const document = extractDocument(text, 'txt', 'usage');

    expect(document.title).toBe('Usage records');
    expect(document.sections).toEqual([
      { headings: [], text: 'Every request leaves one item.' },
      { headings: ['Querying spend'], text: 'GET /spend/logs returns records.\nFilter by team.' },
    ]);
  });

  it('strips HTML: no tags, scripts, styles, navigation or comments; entities decoded; structure kept readable', () => {
    const document = extractDocument(page, 'html', 'page');
    const text = document.sections.map((section) => section.text).join('\n\n');

    expect(document.title).toBe('Caching & keys');
    expect(text).not.toMatch(/<[a-z/!]/i);
    expect(text).not.toContain('track(');
    expect(text).not.toContain('color: red');
    expect(text).not.toContain('Home');
    expect(text).not.toContain('comment');
    expect(document.sections[0]).toEqual({ headings: ['Key cache'], text: 'Keys are cached for 10 seconds — then read again.' });
    expect(document.sections[1].headings).toEqual(['Key cache', 'Revoking']);
    expect(document.sections[1].text).toContain('- Block the key\n- Delete it');
    expect(document.sections[1].text).toContain('field | meaning\nblocked | refuse requests');
    expect(document.sections[1].text).toContain('```\ncurl -d \'{"blocked": true}\'\n  localhost:4000/key/update\n```');
  });
});

describe('htmlToMarkdown', () => {
  it('turns headings into # lines and decodes numeric entities', () => {
    expect(htmlToMarkdown('<h2>A &#38; B</h2><p>x&#x2192;y</p>')).toEqual({ markdown: '## A & B\n\nx→y' });
  });
});

describe('chunkDocument', () => {
  it('gives each passage its path, title, nearest heading and extension', () => {
    const chunks = chunkDocument({ path: 'guides/keys.html', content: page });

    expect(chunks.map((chunk) => chunk.attributes)).toEqual([
      { path: 'guides/keys.html', title: 'Caching & keys', heading: 'Key cache', extension: 'html' },
      { path: 'guides/keys.html', title: 'Caching & keys', heading: 'Revoking', extension: 'html' },
    ]);
  });
});
