/**
 * Memory of the on-demand Lambda functions, in MB, in one place: the stack
 * sets it and the bench's cost model bills it.
 *
 * Sized from the bench (`BENCH_ONLY=memory npm run bench`, bench/README.md):
 * the local gateway, which composes every function's parts in one process,
 * held 159 MB after a full GC and peaked at 202 MB without one, serving four
 * requests at once (an on-demand environment serves one). 512 MB leaves
 * 2.5 times that peak. Lambda gives CPU in proportion to memory (a full vCPU
 * at 1,769 MB), so 512 MB is about 29 % of one: the gateway's own CPU per
 * completion (about 1.5 ms of a core) takes up to ~5 ms there. Duration is
 * billed per GB-s for as long as a stream lasts, and a completion waits on
 * its model almost all that time, so memory is bought for the few
 * milliseconds of CPU at its price per second of streaming.
 */
/** Completions, responses and models (chat): was 1024 MB before the measurement above. */
export const chatFunctionMemoryMb = 512;
/** MCP, knowledge-base search and admin. */
export const smallFunctionMemoryMb = 512;
