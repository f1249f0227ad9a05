/**
 * The payloads the conformance suite's server scenarios expect back, word for
 * word where a check compares them (`tools-call-*`, `resources-read-*`,
 * `prompts-get-*`).
 */

/** A 1×1 red PNG. */
export const testImageBase64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

/** A WAV header with two bytes of silence. */
export const testAudioBase64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

export const simpleText = 'This is a simple text response for testing.';
export const toolErrorText = 'This tool intentionally returns an error for testing';
export const embeddedResourceText = 'This is an embedded resource content.';
export const staticTextResourceText = 'This is the content of the static text resource.';
export const watchedResourceText = 'Watched resource content';
export const simplePromptText = 'This is a simple prompt for testing.';
export const promptEmbeddedResourceText = 'Embedded resource content for testing.';

/** Completion candidates for `test_prompt_with_arguments`' arguments (`completion-complete`). */
export const completionCandidates = ['paris', 'park', 'party', 'test', 'testing'];

/** How long the logging and progress tools wait between notifications, so a client sees them arrive one by one. */
export const notificationGapMs = 50;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
