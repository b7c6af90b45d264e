// What a failed connection means, in words that say what to do: the text after "cannot connect to X: ".
/** The reason `err` (a socket or DNS error) gives for not reaching `host`; `refused` says what a refusal means there. */
export function socketErrorText(err: NodeJS.ErrnoException, host: string, refused: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return refused;
    case 'ENOTFOUND':
      return `the host name '${host}' did not resolve (is it spelled right?)`;
    case 'EAI_AGAIN':
      return `the host name '${host}' could not be resolved just now (is the name server reachable?)`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no answer from ${host} (is the address right, or does a firewall drop the connection?)`;
    default:
      return err.code ?? err.message;
  }
}
