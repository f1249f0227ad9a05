import { describe, expect, it } from 'vitest';
import { chunkText, overlapTail } from '../../../functions/knowledge/local/chunk-text.js';

const sentence = (index: number) => `Sentence number ${index} talks about budgets, keys and streaming in some detail.`;
const paragraph = (from: number, count: number) => Array.from({ length: count }, (_, offset) => sentence(from + offset)).join(' ');

describe('chunkText', () => {
  it('keeps a short text whole', () => {
    expect(chunkText('One paragraph.\n\nAnother one.')).toEqual(['One paragraph.\n\nAnother one.']);
  });

  it('cuts long text into chunks of about the target size along paragraphs', () => {
    const text = [paragraph(1, 5), paragraph(6, 5), paragraph(11, 5), paragraph(16, 5)].join('\n\n');

    const chunks = chunkText(text, { maxChars: 800, overlapChars: 150 });

    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(800 + 150 + 2);
    // Nothing is lost: every sentence is in some chunk.
    for (let index = 1; index <= 20; index += 1) expect(chunks.some((chunk) => chunk.includes(sentence(index)))).toBe(true);
  });

  it('starts each chunk with the end of the previous one', () => {
    const text = [paragraph(1, 6), paragraph(7, 6), paragraph(13, 6)].join('\n\n');

    const chunks = chunkText(text, { maxChars: 800, overlapChars: 150 });

    for (let index = 1; index < chunks.length; index += 1) {
      const tail = overlapTail(chunks[index - 1], 150);
      expect(tail.length).toBeGreaterThan(0);
      expect(tail.length).toBeLessThanOrEqual(150);
      expect(chunks[index].startsWith(tail)).toBe(true);
    }
  });

  it('splits a paragraph longer than a chunk at sentence ends', () => {
    const chunks = chunkText(paragraph(1, 30), { maxChars: 400, overlapChars: 0 });

    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(400);
      expect(chunk).toMatch(/^Sentence number \d+/);
      expect(chunk).toMatch(/detail\.$/);
    }
  });

  it('splits a sentence with no end at spaces, and a word longer than a chunk anywhere', () => {
    const words = Array.from({ length: 200 }, (_, index) => `word${index}`).join(' ');

    const chunks = chunkText(`${words}\n\n${'x'.repeat(250)}`, { maxChars: 100, overlapChars: 0 });

    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(100);
    expect(chunks.join(' ')).toContain('word0 word1');
    expect(chunks.join(' ')).toContain('word199');
  });
});

describe('overlapTail', () => {
  it('starts at a sentence start inside the window when there is one, else at a word', () => {
    expect(overlapTail('First sentence is long enough to be cut. Second one ends here.', 30)).toBe('Second one ends here.');
    expect(overlapTail('a very long run of words without any sentence end at all', 20)).toBe('sentence end at all');
    expect(overlapTail('short', 150)).toBe('short');
    expect(overlapTail('anything', 0)).toBe('');
  });
});
