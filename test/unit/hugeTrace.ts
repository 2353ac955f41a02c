// Valid trace files over 1 GB, written in big chunks in a few seconds, for the tests that open them
// (test/unit/traceFiles.test.ts, test/vscode/hugeTrace.test.ts). Each test deletes its file.
import { closeSync, openSync, writeSync } from 'node:fs';

/** Over 1 GB (and over 1 GiB). */
export const HUGE_BYTES = 1.1e9;
export const HEADER = [
  '{"ev":"start","protocol":1,"minor":0,"python":"3.11.7","executable":"python3","scenario":"/tmp/huge.py","argv":["/tmp/huge.py"],'
    + '"cwd":"/tmp","clock":"virtual","pid":1,"limits":{"ticks":null,"virtualSeconds":null,"wallSeconds":null,"events":null},"blockingMs":100}',
  '{"ev":"loop","loop":1,"cls":"_UnixSelectorEventLoop","thread":"MainThread","t":0,"wall":0}',
  '{"ev":"task","task":1,"loop":1,"name":"Task-1","coro":"main","label":"main()","parent":null,"line":5,"internal":false,"eager":false,"t":0,"wall":0}',
].join('\n');

/** Writes a valid trace of at least `size` bytes: the header, then body(0), body(1)... (MBs each). */
export function writeHuge(path: string, size: number, body: (i: number) => string): { bytes: number; bodies: number } {
  const fd = openSync(path, 'w');
  let bytes = writeSync(fd, `${HEADER}\n`);
  let bodies = 0;
  while (bytes < size) bytes += writeSync(fd, body(bodies++));
  closeSync(fd);
  return { bytes, bodies };
}

/** How many events smallEvents() writes per call (about 15 MB). */
export const SMALL_EVENTS_PER_BODY = 100_000;

/** One tick and one step of Task-1 per loop turn, each spelled out in full (valid in protocol 1 and 2). */
export function smallEvents(i: number): string {
  let text = '';
  for (let k = 0; k < SMALL_EVENTS_PER_BODY / 2; k++) {
    const n = (i * SMALL_EVENTS_PER_BODY) / 2 + k + 1;
    const t = n / 1000;
    text += `{"ev":"tick","loop":1,"n":${n},"t":${t},"wall":${t},"waited":0,"jump":0.001,"ready":[1]}\n`
      + `{"ev":"step","task":1,"t":${t},"dur":0.00001,"from":4,"to":4,"stack":[[4,"main"]],`
      + `"reason":{"kind":"sleep","delay":0.001,"wake":${t + 0.001},"text":"asyncio.sleep(0.001): timer fires at t=${t + 0.001}"}}\n`;
  }
  return text;
}

export const TICK = '{"ev":"tick","loop":1,"n":1,"t":0,"wall":0,"waited":0,"jump":0,"ready":[1]}\n';

/** Few events, each huge: one tick, then lines of 50 MB of program output. */
export function hugeLines(i: number): string {
  return `${i === 0 ? TICK : ''}{"ev":"output","stream":"stdout","text":"${'x'.repeat(50_000_000)}"}\n`;
}
