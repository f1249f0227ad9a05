import { htmlToMarkdown } from './html-to-markdown.js';

/** A run of text under one heading. */
export interface DocumentSection {
  /** The headings above the text, outermost first, the document title excluded. */
  headings: string[];
  /** Readable text (Markdown for Markdown and HTML sources). */
  text: string;
}

export interface ExtractedDocument {
  title: string;
  sections: DocumentSection[];
}

type Block = { kind: 'heading'; level: number; text: string } | { kind: 'text'; text: string };

const fencePattern = /^\s*(```|~~~)/;
const headingPattern = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/** Markdown lines as heading and text blocks; `#` inside code fences is code, not a heading. */
const markdownBlocks = (markdown: string): Block[] => {
  const blocks: Block[] = [];
  let inFence = false;
  let lines: string[] = [];
  const flush = () => {
    const text = lines.join('\n').trim();
    if (text) blocks.push({ kind: 'text', text });
    lines = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    if (fencePattern.test(line)) inFence = !inFence;
    const heading = inFence ? null : headingPattern.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1].length, text: heading[2] });
    } else {
      lines.push(line);
    }
  }
  flush();
  return blocks;
};

/** A plain-text paragraph that reads as a heading: one short line, capitalised, no closing punctuation. */
const looksLikeHeading = (paragraph: string): boolean =>
  !paragraph.includes('\n') && paragraph.length <= 80 && /^[A-Z0-9]/.test(paragraph) && !/[.:,;!?]$/.test(paragraph) && paragraph.split(/\s+/).length <= 10;

/** Plain text: paragraphs split on blank lines; heading-like paragraphs become headings, the first one the title. */
const textBlocks = (text: string): Block[] =>
  text
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => paragraph.replace(/\s+$/, '').replace(/^\s*\n/, ''))
    .filter((paragraph) => paragraph.trim().length > 0)
    .map((paragraph, index): Block => {
      const trimmed = paragraph.trim();
      if (!looksLikeHeading(trimmed)) return { kind: 'text', text: paragraph };
      return { kind: 'heading', level: index === 0 ? 1 : 2, text: trimmed };
    });

/** Sections under their heading trails; a leading level-1 heading is the title (unless the page names its own). */
const sectionsFrom = (blocks: Block[], fallbackTitle: string, pageTitle?: string): ExtractedDocument => {
  const first = blocks[0];
  const title = pageTitle ?? (first?.kind === 'heading' && first.level === 1 ? first.text : fallbackTitle);
  const trail: Array<{ level: number; text: string }> = [];
  const sections: DocumentSection[] = [];
  blocks.forEach((block, index) => {
    if (block.kind === 'text') {
      sections.push({ headings: trail.map((heading) => heading.text), text: block.text });
      return;
    }
    if (index === 0 && block.text === title) return;
    while (trail.length > 0 && trail[trail.length - 1].level >= block.level) trail.pop();
    trail.push({ level: block.level, text: block.text });
  });
  return { title, sections };
};

/** The file name as a title: `dynamodb-conditional-writes` → `dynamodb conditional writes`. */
export const titleFromFilename = (filename: string): string => filename.replace(/\.[^.]+$/, '').replace(/[-_]+/g, ' ').trim();

/** Splits a document into titled sections along its headings, by format (`md`, `txt`, `html`...). */
export const extractDocument = (content: string, extension: string, fallbackTitle: string): ExtractedDocument => {
  if (extension === 'html' || extension === 'htm') {
    const { title, markdown } = htmlToMarkdown(content);
    return sectionsFrom(markdownBlocks(markdown), fallbackTitle, title);
  }
  if (extension === 'txt' || extension === 'text') return sectionsFrom(textBlocks(content), fallbackTitle);
  return sectionsFrom(markdownBlocks(content), fallbackTitle);
};
