/** Elements whose content is never document text. */
const droppedElements = ['head', 'script', 'style', 'noscript', 'template', 'svg', 'nav', 'iframe', 'button', 'form'];

const namedEntities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', copy: '©' };

/** Decodes the entities documents commonly use: named basics and numeric references. */
export const decodeEntities = (text: string): string =>
  text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    return namedEntities[body.toLowerCase()] ?? entity;
  });

const stripTags = (html: string): string => html.replace(/<[^>]*>/g, '');

const inlineText = (html: string): string => decodeEntities(stripTags(html)).replace(/\s+/g, ' ').trim();

/**
 * Readable Markdown-like text from an HTML page: scripts, styles and
 * navigation dropped, headings as `#` lines (so sections split as in
 * Markdown), lists as `-` items, table cells joined with `|`, `<pre>` kept
 * verbatim in a code fence, entities decoded. Not a full HTML parser: enough
 * for documentation pages.
 */
export const htmlToMarkdown = (html: string): { title?: string; markdown: string } => {
  const titleMatch = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
  const title = titleMatch ? inlineText(titleMatch[1]) || undefined : undefined;
  let body = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const element of droppedElements) {
    body = body.replace(new RegExp(`<${element}\\b[^>]*>[\\s\\S]*?<\\/${element}>`, 'gi'), ' ');
  }
  const preformatted: string[] = [];
  body = body.replace(/<pre\b[^>]*>([\s\S]*?)<\/pre>/gi, (_match, code: string) => {
    preformatted.push(decodeEntities(stripTags(code)).replace(/^\n+|\s+$/g, ''));
    return `\n\n\u0000${preformatted.length - 1}\u0000\n\n`;
  });
  body = body
    .replace(/\s+/g, ' ')
    .replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1>/gi, (_match, level: string, text: string) => `\n\n${'#'.repeat(Number(level))} ${inlineText(text)}\n\n`)
    .replace(/<\/t[dh]>\s*<t[dh]\b[^>]*>/gi, ' | ')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<dt\b[^>]*>/gi, '\n\n')
    .replace(/<dd\b[^>]*>/gi, ': ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/?(p|div|section|article|main|header|footer|ul|ol|dl|table|blockquote|aside|figure)\b[^>]*>/gi, '\n\n')
    .replace(/<\/tr>/gi, '\n')
    .replace(/<tr\b[^>]*>/gi, '');
  const text = decodeEntities(stripTags(body))
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/\u0000(\d+)\u0000/g, (_match, index: string) => `\`\`\`\n${preformatted[Number(index)]}\n\`\`\``)
    .trim();
  return { title, markdown: text };
};
