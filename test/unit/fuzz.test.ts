// Random and mutated input through the decoder, the model and the text views: nothing may throw,
// every line is accounted for, and memory stays bounded. `npm test` runs a reduced size;
// `npm run fuzz` runs 1,000,000 inputs (LOOPSCOPE_FUZZ_INPUTS).
import * as assert from 'node:assert/strict';
import { describeReadyEntry, describeSnapshot, shortReason } from '../../src/core/describe';
import { TraceModel } from '../../src/core/model';
import { stateAfter } from '../../src/core/moment';
import { narrateTick } from '../../src/core/narrate';
import { EventDecoder } from '../../src/protocol/decoder';

const INPUTS = Number(process.env.LOOPSCOPE_FUZZ_INPUTS ?? 100000);

/** Lines as the tracer writes them, covering every event kind. */
const SEED_LINES = [
  '{"ev":"start","protocol":1,"minor":0,"python":"3.11.7","executable":"python3","scenario":"/s.py","argv":["/s.py"],"cwd":"/","clock":"virtual","pid":1,"limits":{"ticks":null,"virtualSeconds":null,"wallSeconds":null,"events":null},"blockingMs":100}',
  '{"ev":"loop","loop":1,"cls":"_UnixSelectorEventLoop","thread":"MainThread","t":0.0,"wall":0.01}',
  '{"ev":"task","task":1,"loop":1,"name":"Task-1","coro":"main","label":"main()","parent":null,"line":9,"internal":false,"t":0.0,"wall":0.01}',
  '{"ev":"tick","loop":1,"n":1,"t":0.0,"wall":0.01,"waited":0,"jump":0,"ready":[1,{"fn":"cb","line":3,"kind":"soon"}],"io":[{"fd":5,"events":"r","peer":"127.0.0.1:80"}]}',
  '{"ev":"timer","loop":1,"timer":1,"when":5.0,"fn":"_set_result_unless_cancelled","task":1,"t":0.0}',
  '{"ev":"step","task":1,"t":0.0,"dur":0.0001,"from":9,"to":10,"stack":[[10,"main"],[4,"boil","/x.py"]],"reason":{"kind":"sleep","text":"asyncio.sleep(5): timer fires at t=5.000","delay":5,"wake":5.0,"timer":1}}',
  '{"ev":"tick","loop":1,"n":2,"t":5.0,"wall":0.02,"waited":0,"jump":5.0,"ready":[{"fn":"_set_result_unless_cancelled","kind":"timer","timer":1}]}',
  '{"ev":"step","task":1,"t":5.0,"dur":0.0001,"from":10,"to":12,"reason":{"kind":"gather","text":"gather","children":[2,3],"pending":2}}',
  '{"ev":"callback","loop":1,"fn":"cb","line":3,"kind":"soon","t":5.0,"dur":0.00001}',
  '{"ev":"blocking","loop":1,"what":"step","task":1,"fn":"main","line":11,"dur":0.5,"t":5.0,"n":2,"sampled":true}',
  '{"ev":"job","job":1,"loop":1,"task":1,"fn":"work","line":4,"t":5.0,"wall":0.03}',
  '{"ev":"job_start","job":1,"thread":"asyncio_0","wall":0.03}',
  '{"ev":"job_end","job":1,"thread":"asyncio_0","wall":0.05,"dur":0.02,"ok":true}',
  '{"ev":"output","stream":"stdout","text":"hello 🌍","task":1,"line":11,"loop":1,"t":5.0,"wall":0.04}',
  '{"ev":"timer_cancel","loop":1,"timer":1,"t":5.0}',
  '{"ev":"done","task":1,"t":5.0,"state":"exception","error":{"type":"ValueError","message":"bad","line":12}}',
  '{"ev":"pause","loop":1,"n":3,"t":5.0,"tasks":[{"task":1,"line":12,"stack":[[12,"main"]],"reason":{"kind":"yield","text":"y"}}]}',
  '{"ev":"loop_closed","loop":1,"t":5.0,"wall":0.05}',
  '{"ev":"internal_error","where":"x","message":"m"}',
  '{"ev":"end","outcome":"completed","limit":null,"exitCode":0,"error":null,"counts":{"loops":1,"ticks":2,"tasks":1,"steps":2,"events":19},"wall":0.06}',
];

function makeRandom(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state % n;
  };
}

const HOSTILE_VALUES = ['1e999', '-1e308', '9007199254740993', 'null', 'true', '"x"', '[]', '{}', '[[[[[[[[[[1]]]]]]]]]]',
  `"${'A'.repeat(100000)}"`, '"<img src=x onerror=alert(1)>"', '-0', '"\\u0000"', '{"kind":null}', '[1,"a",null]'];

/** One input: a line mutated at the byte level or at the value level, or plain random bytes. */
function mutate(line: string, random: (n: number) => number): string {
  switch (random(6)) {
    case 0: { // flip characters
      const chars = [...line];
      for (let i = 0, n = 1 + random(4); i < n; i++) chars[random(chars.length)] = String.fromCharCode(random(128));
      return chars.join('');
    }
    case 1: return line.slice(0, random(line.length)); // truncated
    case 2: { // a value replaced by a hostile one
      const values = [...line.matchAll(/:(-?[\d.e]+|"[^"]*"|null|true|false|\[[^\]]*\])/g)];
      if (values.length === 0) return line;
      const target = values[random(values.length)];
      return line.slice(0, target.index! + 1) + HOSTILE_VALUES[random(HOSTILE_VALUES.length)] + line.slice(target.index! + target[0].length);
    }
    case 3: return `${'['.repeat(1 + random(5000))}${line}`; // deep nesting
    case 4: return Array.from({ length: random(200) }, () => String.fromCharCode(random(0xffff))).join(''); // random text
    default: return line.replace(/"ev":"\w+"/, `"ev":"${['tick', 'step', 'task', 'done', 'pause', 'nope'][random(6)]}"`);
  }
}

describe('decoder and model fuzzing', function () {
  this.timeout(600_000);

  it(`survives ${INPUTS.toLocaleString()} random and mutated inputs, accounting for every line`, () => {
    const random = makeRandom(0xC0FFEE);
    const model = new TraceModel();
    let lines = 0;
    const totals = { events: 0, malformed: 0, unknown: 0, refused: 0 };
    const newDecoder = () => new EventDecoder((event) => model.apply(event));
    let decoder = newDecoder();
    // A mutated start line may announce a newer protocol: that decoder stops, a fresh one goes on.
    const retire = () => {
      totals.events += decoder.stats.events;
      totals.malformed += decoder.stats.malformed;
      totals.unknown += decoder.stats.unknown;
      if (decoder.fatal) totals.refused++;
    };
    const heapBefore = process.memoryUsage().heapUsed;
    const encoder = new TextEncoder();
    for (let i = 0; i < INPUTS; i++) {
      const seed = SEED_LINES[random(SEED_LINES.length)];
      const input = random(3) === 0 ? seed : mutate(seed, random);
      const text = `${input.replace(/\n/g, ' ')}\n`;
      lines += input === '' || input === '\r' ? 0 : 1;
      // Mixed feeding: bytes split at a random point, or text.
      if (random(2) === 0) {
        const bytes = encoder.encode(text);
        const cut = random(bytes.length);
        decoder.push(bytes.subarray(0, cut));
        decoder.push(bytes.subarray(cut));
      } else decoder.pushText(text);
      if (decoder.fatal) {
        assert.match(decoder.fatal, /protocol version/);
        retire();
        decoder = newDecoder();
      }
      if (i % 997 === 0) {
        // The views read whatever the model holds at random ticks.
        const tick = random(Math.max(1, model.ticks.length));
        const state = model.stateBefore(tick);
        narrateTick(model, tick);
        stateAfter(model, tick);
        for (const snapshot of state?.tasks ?? []) {
          describeSnapshot(snapshot, model);
          shortReason(snapshot.reason, model);
        }
        for (const entry of state?.ready ?? []) describeReadyEntry(entry, model);
      }
    }
    decoder.end();
    retire();
    const { events, malformed, unknown, refused } = totals;
    assert.equal(events + malformed + unknown + refused, lines);
    assert.ok(malformed > INPUTS / 10, `expected many malformed lines, got ${malformed}`);
    assert.ok(model.ticks.length > 0 && model.tasks.size > 0, 'valid lines reached the model');
    const grown = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
    assert.ok(grown < 600, `heap grew by ${grown.toFixed(0)} MB`);
  });
});
