/**
 * Markdown without the parts that would only add noise to an index: link
 * targets, image sources and code-fence markers (with their language tag).
 * Emphasis, heading and table marks need no stripping: the tokenizer splits
 * on punctuation and symbols anyway.
 */
export const markdownToPlainText = (markdown: string): string =>
  markdown
    .replace(/^\s*(```|~~~)[^\n]*$/gm, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1');
