/** A local gateway that cannot start, for a reason the user can fix; the message says which and how, on one line. */
export class LocalStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalStartError';
  }
}

/** The port is taken (`EADDRINUSE`) or not ours to take (`EACCES`). */
export const listenError = (error: Error & { code?: string }, host: string, port: number): Error => {
  if (error.code === 'EADDRINUSE') return new LocalStartError(`Port ${port} on ${host} is already in use (another Tollway, or another program); stop it, or start with PORT=<another port>.`);
  if (error.code === 'EACCES') return new LocalStartError(`Port ${port} on ${host} needs privileges this process lacks; start with PORT=<a port above 1023>.`);
  if (error.code === 'EADDRNOTAVAIL') return new LocalStartError(`Address ${host} is not an address of this machine; start with HOST=127.0.0.1 (or another local address).`);
  return error;
};
