/** The body of an upstream error response: its JSON when it is JSON, and its text (for the log) either way. */
export const readErrorBody = async (response: Response): Promise<{ json: unknown; text: string }> => {
  const text = await response.text().catch(() => '');
  try {
    return { json: JSON.parse(text), text };
  } catch {
    return { json: undefined, text };
  }
};
