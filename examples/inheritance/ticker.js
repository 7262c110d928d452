// Prints a line every TICK_MS milliseconds until stopped.
const name = process.env.NAME ?? 'ticker';
const level = process.env.LOG_LEVEL ?? '(none)';
let n = 0;
const timer = setInterval(() => console.log(`${name} tick ${++n} (log level ${level})`), Number(process.env.TICK_MS ?? 1000));
process.on('SIGTERM', () => {
  clearInterval(timer);
  console.log(`${name} stopped after ${n} ticks`);
});
