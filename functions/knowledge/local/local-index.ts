import MiniSearch, { type AsPlainObject, type Options, type SearchOptions } from 'minisearch';
import type { Passage, RetrievalQuery } from '../../core/knowledge/knowledge-service.js';
import { chunkText, defaultChunking, type ChunkingOptions } from './chunk-text.js';
import { extractDocument, titleFromFilename } from './document-sections.js';
import { markdownToPlainText } from './markdown-to-plain-text.js';
import { matchesFilter } from './match-filter.js';
import { processTerm, queryTerms, tokenize } from './search-terms.js';

/** Attributes every local passage carries; filters are evaluated on them. */
export interface ChunkAttributes {
  [name: string]: string;
  /** Path inside the knowledge-base folder, `/`-separated. */
  path: string;
  title: string;
  /** The nearest heading above the passage; empty before the first one. */
  heading: string;
  /** Lower-case file extension without the dot: `md`, `txt`, `html`. */
  extension: string;
}

export interface IndexedChunk {
  text: string;
  attributes: ChunkAttributes;
  /** Every heading above the passage, outermost first: indexed, so a question about a section finds it. */
  headings: string[];
}

export interface SourceDocument {
  /** `/`-separated path inside the folder. */
  path: string;
  content: string;
}

/** What the cache file holds: the chunks and the MiniSearch index over them. */
export interface SerializedIndex {
  chunks: IndexedChunk[];
  index: AsPlainObject;
}

interface IndexedFields {
  id: number;
  title: string;
  heading: string;
  content: string;
}

const indexOptions: Options<IndexedFields> = {
  fields: ['title', 'heading', 'content'],
  tokenize,
  processTerm,
};

/** Tuned for recall on paraphrased questions: prefixes of longer terms, fuzzy on long terms, headings weigh most. */
const searchOptions: SearchOptions = {
  boost: { heading: 2, title: 1.5 },
  prefix: (term) => term.length >= 4,
  fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
  weights: { prefix: 0.3, fuzzy: 0.2 },
  combineWith: 'OR',
};

const extensionOf = (path: string): string => /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
const filenameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Splits one document into passages with their attributes. */
export const chunkDocument = (document: SourceDocument, chunking: ChunkingOptions = defaultChunking): IndexedChunk[] => {
  const extension = extensionOf(document.path);
  const { title, sections } = extractDocument(document.content, extension, titleFromFilename(filenameOf(document.path)));
  return sections.flatMap((section) =>
    chunkText(section.text, chunking).map((text) => ({
      text,
      attributes: { path: document.path, title, heading: section.headings.at(-1) ?? '', extension },
      headings: section.headings,
    })),
  );
};

const indexedFields = (chunk: IndexedChunk, id: number): IndexedFields => ({
  id,
  title: chunk.attributes.title,
  heading: chunk.headings.join('\n'),
  content: markdownToPlainText(chunk.text),
});

/** Adds documents one at a time (so a caller can read files and report progress in between), then yields the index. */
export class LocalIndexBuilder {
  private readonly miniSearch = new MiniSearch<IndexedFields>(indexOptions);
  private readonly chunks: IndexedChunk[] = [];

  add(document: SourceDocument): void {
    for (const chunk of chunkDocument(document)) {
      this.miniSearch.add(indexedFields(chunk, this.chunks.length));
      this.chunks.push(chunk);
    }
  }

  finish(): LocalIndex {
    return LocalIndex.fromParts(this.miniSearch, this.chunks);
  }
}

/** A BM25 index (MiniSearch) over the passages of a folder. */
export class LocalIndex {
  private constructor(
    private readonly miniSearch: MiniSearch<IndexedFields>,
    readonly chunks: readonly IndexedChunk[],
  ) {}

  /** @internal the builder's way in. */
  static fromParts(miniSearch: MiniSearch<IndexedFields>, chunks: readonly IndexedChunk[]): LocalIndex {
    return new LocalIndex(miniSearch, chunks);
  }

  /** Chunks and indexes documents in one go. */
  static build(documents: Iterable<SourceDocument>): LocalIndex {
    const builder = new LocalIndexBuilder();
    for (const document of documents) builder.add(document);
    return builder.finish();
  }

  static fromJSON(serialized: SerializedIndex): LocalIndex {
    return new LocalIndex(MiniSearch.loadJS(serialized.index, indexOptions), serialized.chunks);
  }

  toJSON(): SerializedIndex {
    return { chunks: [...this.chunks], index: this.miniSearch.toJSON() };
  }

  /**
   * Best passages first. Scores are 0..1: BM25 relative to the best passage,
   * scaled by the share of query terms that passage matched, so 1 means the
   * best passage matched every term and a query the folder barely covers
   * scores low throughout (which is what `scoreThreshold` needs).
   */
  search(query: RetrievalQuery): Passage[] {
    const terms = queryTerms(query.query);
    if (terms.length === 0) return [];
    const { filters } = query;
    const results = this.miniSearch.search(query.query, {
      ...searchOptions,
      filter: filters ? (result) => matchesFilter(filters, this.chunks[result.id as number].attributes) : undefined,
    });
    const best = results[0];
    if (!best) return [];
    const scale = Math.min(1, new Set(best.queryTerms).size / terms.length) / best.score;
    return results
      .map((result) => ({ result, score: Math.round(result.score * scale * 1e4) / 1e4 }))
      .filter(({ score }) => query.scoreThreshold === undefined || score >= query.scoreThreshold)
      .slice(0, query.maxResults)
      .map(({ result, score }) => {
        const chunk = this.chunks[result.id as number];
        return {
          fileId: chunk.attributes.path,
          filename: filenameOf(chunk.attributes.path),
          score,
          attributes: { ...chunk.attributes },
          text: chunk.text,
          location: chunk.attributes.path,
        };
      });
  }
}
