// Shared by the quickstart agents: one request/response round trip to the store.
import { connect } from 'node:net';

/** Sends one command line to the store at STORE_ADDR and resolves with its reply. */
export function storeCommand(line) {
  const [host, port] = (process.env.STORE_ADDR ?? '127.0.0.1:7401').split(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host);
    let reply = '';
    socket.setEncoding('utf8');
    socket.setTimeout(2000, () => socket.destroy(new Error('store timed out')));
    socket.on('connect', () => socket.write(line + '\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\n')) {
        socket.end();
        resolve(reply.trim());
      }
    });
    socket.on('error', reject);
  });
}
