/**
 * Memory of the on-demand Lambda functions, in MB, in one place: the stack
 * sets it and the bench's cost model bills it.
 *
 * Sized from the bench (`BENCH_ONLY=memory npm run bench`, bench/README.md):
 * the local gateway, which composes every function's parts in one process,
 * held 159–172 MB after a full GC and peaked at 198–213 MB without one
 * (three runs on 2026-12-03), serving four requests at once (an on-demand
 * environment serves one). 512 MB leaves 2.4 times the highest peak.
 *
 * The trade: Lambda gives CPU in proportion to memory (a full vCPU at
 * 1,769 MB), so 512 MB is about 29 % of one, and the gateway's CPU per
 * completion (3.3–5.1 ms of a core at saturation on the bench machine, the
 * after-response writes included) takes about 3.5 times as long as on a
 * full core; so does the cold-start import. Duration is billed for as long
 * as a stream lasts, though, and a completion waits on its model almost all
 * of that time: at 1024 MB every streamed second costs twice as much.
 */
/** Completions, responses and models (chat): was 1024 MB before the measurement above. */
export const chatFunctionMemoryMb = 512;
/** MCP, knowledge-base search and admin. */
export const smallFunctionMemoryMb = 512;
