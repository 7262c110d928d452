// A worker: takes a "job" every second by incrementing a counter in the store.
import { storeCommand } from './client.js';

const id = process.env.WORKER_ID ?? '0';
let stopping = false;

async function tick() {
  if (stopping) return;
  try {
    const n = await storeCommand('INCR jobs');
    console.log(`worker ${id} took job ${n}`);
  } catch (error) {
    console.error(`worker ${id}: ${error.message}`);
  }
  setTimeout(tick, 1000);
}

process.on('SIGTERM', () => {
  stopping = true;
  console.log(`worker ${id} done`);
  process.exit(0);
});
tick();
