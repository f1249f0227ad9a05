/**
 * How text becomes index terms, for documents and queries alike: lower case,
 * accents folded, common English words dropped, and a light suffix stemmer so
 * that "budgets", "budgeted" and "budgeting" meet on one term.
 */

const stopWords = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in into is it its may me my no not of on or our ' +
    'should so such than that the their them then there these they this those to too was we were what when where which while who why will ' +
    'with would you your'
  ).split(' '),
);

/** Splits on whitespace and punctuation, as MiniSearch does, keeping `_`-joined names apart (`max_budget` → max, budget). */
export const tokenize = (text: string): string[] => text.split(/[\s\p{P}\p{S}]+/u).filter(Boolean);

/** Strips common inflection suffixes; deliberately conservative, and the same for documents and queries. */
export const stem = (word: string): string => {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let stemmed = word;
  if (stemmed.endsWith('ies') && stemmed.length > 4) stemmed = `${stemmed.slice(0, -3)}y`;
  else if (stemmed.endsWith('ied') && stemmed.length > 4) stemmed = `${stemmed.slice(0, -3)}y`;
  else if (stemmed.endsWith('sses')) stemmed = stemmed.slice(0, -2);
  else if (stemmed.endsWith('s') && !/(ss|us|is)$/.test(stemmed)) stemmed = stemmed.slice(0, -1);
  if (stemmed.endsWith('ing') && stemmed.length > 5) stemmed = stemmed.slice(0, -3);
  else if (stemmed.endsWith('ed') && stemmed.length > 4) stemmed = stemmed.slice(0, -2);
  if (stemmed.endsWith('e') && stemmed.length > 4) stemmed = stemmed.slice(0, -1);
  // "running" → "runn", "limitted" → "limitt": undouble the final consonant.
  if (/([bdfgmnprt])\1$/.test(stemmed)) stemmed = stemmed.slice(0, -1);
  return stemmed;
};

/** One token → its index term, or nothing for stop words. */
export const processTerm = (token: string): string | null => {
  const folded = token.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  if (!folded || stopWords.has(folded)) return null;
  return stem(folded);
};

/** The distinct terms of a query, as the index sees them. */
export const queryTerms = (query: string): string[] => [
  ...new Set(tokenize(query).map(processTerm).filter((term): term is string => term !== null)),
];
