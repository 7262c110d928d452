// A oneshot migration: records the schema version in the store and exits 0.
import { storeCommand } from './client.js';

const version = '3';
const current = await storeCommand('GET schema_version');
if (current === version) {
  console.log(`schema already at version ${version}`);
} else {
  console.log(`migrating schema ${current} -> ${version}`);
  await storeCommand(`SET schema_version ${version}`);
}
