// Answers every request with GREETING from REGION.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 7700);
const server = createServer((req, res) => {
  res.end(`${process.env.GREETING ?? 'hello'} from ${process.env.REGION ?? 'nowhere'}\n`);
});
server.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => server.close());
