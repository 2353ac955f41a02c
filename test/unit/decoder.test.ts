import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventDecoder, MAX_LINE_BYTES } from '../../src/protocol/decoder';
import { PROTOCOL_MAJOR, type TraceEvent } from '../../src/protocol/events';
import { REPO } from './helpers';

const START = { ev: 'start', protocol: 1, minor: 0, python: '3.11.7', scenario: '/tmp/s.py', clock: 'virtual' };
const TASK = { ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'main', label: 'main()', parent: null, line: 3, internal: false, t: 0, wall: 0 };
const OUTPUT = { ev: 'output', stream: 'stdout', text: 'héllo 🌍 wörld', wall: 0.1 };

function decodeAll(chunks: Uint8Array[]): { events: TraceEvent[]; decoder: EventDecoder } {
  const events: TraceEvent[] = [];
  const decoder = new EventDecoder((event) => events.push(event));
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  return { events, decoder };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('EventDecoder', () => {
  const stream = [START, TASK, OUTPUT].map((e) => JSON.stringify(e)).join('\n') + '\n';

  it('gives the same events for every split point of the stream, including inside multi-byte characters', () => {
    const whole = bytes(stream);
    const expected = decodeAll([whole]).events;
    assert.equal(expected.length, 3);
    for (let cut = 1; cut < whole.length; cut++) {
      const { events, decoder } = decodeAll([whole.subarray(0, cut), whole.subarray(cut)]);
      assert.deepEqual(events, expected, `split at byte ${cut}`);
      assert.equal(decoder.stats.malformed, 0);
    }
  });

  it('gives the same events when fed one byte at a time', () => {
    const whole = bytes(stream);
    const chunks = Array.from(whole, (_, i) => whole.subarray(i, i + 1));
    assert.deepEqual(decodeAll(chunks).events, decodeAll([whole]).events);
  });

  it('gives the same events when the caller reuses one buffer for every chunk', () => {
    const whole = bytes(stream);
    const buffer = new Uint8Array(7);
    const events: TraceEvent[] = [];
    const decoder = new EventDecoder((event) => events.push(event));
    for (let at = 0; at < whole.length; at += buffer.length) {
      const chunk = whole.subarray(at, at + buffer.length);
      buffer.set(chunk);
      decoder.push(buffer.subarray(0, chunk.length));
    }
    decoder.end();
    assert.deepEqual(events, decodeAll([whole]).events);
  });

  it('counts malformed lines, keeps the good ones around them and remembers the first bad line', () => {
    const text = `${JSON.stringify(START)}\n{"ev":"task",\nnot json at all\n[1,2]\n{"ev":"tick","loop":"x"}\n${JSON.stringify(TASK)}\n`;
    const { events, decoder } = decodeAll([bytes(text)]);
    assert.deepEqual(events.map((e) => e.ev), ['start', 'task']);
    assert.equal(decoder.stats.malformed, 4);
    assert.equal(decoder.stats.firstMalformed, '{"ev":"task",');
  });

  it('ignores unknown event kinds without counting them as malformed', () => {
    const { events, decoder } = decodeAll([bytes(`{"ev":"from_the_future","x":1}\n${JSON.stringify(TASK)}\n`)]);
    assert.deepEqual(events.map((e) => e.ev), ['task']);
    assert.equal(decoder.stats.unknown, 1);
    assert.equal(decoder.stats.malformed, 0);
  });

  it('rejects a newer major protocol version with a clear message and stops decoding', () => {
    const newer = PROTOCOL_MAJOR + 1;
    const { events, decoder } = decodeAll([bytes(`${JSON.stringify({ ...START, protocol: newer })}\n${JSON.stringify(TASK)}\n`)]);
    assert.equal(events.length, 0);
    assert.match(decoder.fatal ?? '', new RegExp(`protocol version ${newer}.*newer`));
  });

  it('stops at a newer major protocol version wherever the chunks are cut', () => {
    const whole = bytes(`${JSON.stringify({ ...START, protocol: PROTOCOL_MAJOR + 1 })}\n${JSON.stringify(TASK)}\n`);
    for (let cut = 1; cut < whole.length; cut++) {
      const { events, decoder } = decodeAll([whole.subarray(0, cut), whole.subarray(cut)]);
      assert.equal(events.length, 0, `split at byte ${cut}`);
      assert.ok(decoder.fatal);
    }
  });

  it('reads protocol 1 and 2 traces', () => {
    for (const protocol of [1, 2]) {
      const { events, decoder } = decodeAll([bytes(`${JSON.stringify({ ...START, protocol })}\n${JSON.stringify(TASK)}\n`)]);
      assert.equal(events.length, 2, `protocol ${protocol}`);
      assert.equal(decoder.fatal, undefined);
    }
  });

  /** The decoder's events for `line` are JSON.parse's: the same keys in the same order, the same numbers (-0 too). */
  function assertDecodedAsJsonParse(line: string): void {
    const { events, decoder } = decodeAll([bytes(`${line}\n`)]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const numbers = (value: unknown): unknown[] => (typeof value === 'object' && value !== null
      ? Object.values(value).flatMap(numbers) : typeof value === 'number' ? [value] : []);
    const valid = parsed !== undefined && numbers(parsed).every((v) => Number.isFinite(v))
      && typeof (parsed as { task: unknown }).task === 'number';
    assert.deepEqual(events, valid ? [parsed] : [], line);
    assert.equal(decoder.stats.malformed, valid ? 0 : 1, line);
    if (!valid) return;
    assert.equal(JSON.stringify(events[0]), JSON.stringify(parsed), line);
    const got = numbers(events[0]);
    numbers(parsed).forEach((n, i) => assert.ok(Object.is(got[i], n), `${line}: ${got[i]} is not ${n}`));
  }

  it('decodes plain step lines (read without JSON.parse) exactly as JSON.parse does, malformed ones too', () => {
    const lines = [
      '{"ev":"step","task":7,"t":0.001234,"dur":0.0000031,"to":12}',
      '{"ev":"step","task":7,"t":0.001234,"dur":0.0000031,"to":null}',
      '{"ev":"step","task":7,"t":0.001234,"dur":0.0000031,"q":5,"by":{"kind":"yield","n":3,"q":5},"to":12}',
      '{"ev":"step","task":7,"t":0.001234,"dur":0.0000031,"q":0,"by":{"kind":"yield","n":3,"q":0},"to":null}',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"q":5,"by":{"kind":"yield","n":3},"to":12}',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"q":5,"by":{"kind":"task","n":3,"q":5,"task":2},"to":12}',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"q":5,"to":12}',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"q":5,"by":{"kind":"yield","n":3,"q":5},"to":12,"stack":[]}',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"q":5,"by":{"kind":"yield","n":03,"q":5},"to":12}',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"q":5,"by":{"kind":"yield","n":3,"q":5}},"to":12}',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"q":-0,"by":{"kind":"yield","n":-3.5,"q":1e2},"to":12}',
      '{"ev":"step","task":123456789012,"t":-0,"dur":1.5e-7,"to":0}',
      '{"ev":"step","task":7,"t":-1234567.89012345,"dur":0.000000000000001,"to":-0}',
      '{"ev":"step","task":7,"t":1234567.890123456,"dur":12345678901234567890,"to":12}',
      '{"ev":"step","task":7,"t":12.5E+3,"dur":3.0000000000000004,"to":1.5}',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"to":12} ',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"to":12}\r',
      '{"ev":"step","task":7,"to":12,"t":0.1,"dur":0.2}',
      '{"ev":"step", "task":7,"t":0.1,"dur":0.2,"to":12}',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"to":12,"reason":null}',
      '{"ev":"step","task":7,"t":1e999,"dur":0.2,"to":12}',
      '{"ev":"step","task":07,"t":0.1,"dur":0.2,"to":12}',
      '{"ev":"step","task":7,"t":.1,"dur":0.2,"to":12}',
      '{"ev":"step","task":7,"t":1.,"dur":0.2,"to":12}',
      '{"ev":"step","task":7,"t":1.2.3,"dur":0.2,"to":12}',
      '{"ev":"step","task":7,"t":-,"dur":0.2,"to":12}',
      '{"ev":"step","task":"7","t":0.1,"dur":0.2,"to":12}',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"to":12}}',
      '{"ev":"step","task":7,"t":0.1,"dur":0.2,"to":nullx}',
    ];
    for (const line of lines) assertDecodedAsJsonParse(line);
  });

  it('reads the numbers of plain step lines as JSON.parse does, whatever their digits', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const digits = (count: number) => Array.from({ length: count }, () => random(10)).join('');
    for (let i = 0; i < 3000; i++) {
      const whole = random(4) === 0 ? '0' : `${1 + random(9)}${digits(random(12))}`;
      const number = `${random(5) === 0 ? '-' : ''}${whole}${random(4) === 0 ? '' : `.${digits(1 + random(16))}`}`;
      assertDecodedAsJsonParse(`{"ev":"step","task":7,"t":${number},"dur":0.0000031,"q":5,"by":{"kind":"yield","n":3,"q":${whole}},"to":12}`);
    }
  });

  it('decodes a final line that has no newline at the end of the stream', () => {
    const { events } = decodeAll([bytes(JSON.stringify(START))]);
    assert.equal(events.length, 1);
  });

  it('skips a line longer than the limit without buffering it whole, then goes on', () => {
    const decoder = new EventDecoder(() => undefined);
    const piece = 'x'.repeat(1 << 20);
    const pieces = Math.ceil(MAX_LINE_BYTES / piece.length) + 2;
    decoder.pushText('{"ev":"output","stream":"stdout","text":"');
    for (let i = 0; i < pieces; i++) decoder.pushText(piece);
    decoder.pushText(`"}\n${JSON.stringify(TASK)}\n`);
    decoder.end();
    assert.equal(decoder.stats.malformed, 1);
    assert.equal(decoder.stats.events, 1);
  });

  it('skips a line longer than the limit given as bytes, then goes on', () => {
    const decoder = new EventDecoder(() => undefined);
    const piece = bytes('x'.repeat(1 << 20));
    const pieces = Math.ceil(MAX_LINE_BYTES / piece.length) + 2;
    decoder.push(bytes('{"ev":"output","stream":"stdout","text":"'));
    for (let i = 0; i < pieces; i++) decoder.push(piece);
    decoder.push(bytes(`"}\n${JSON.stringify(TASK)}\n`));
    decoder.end();
    assert.equal(decoder.stats.malformed, 1);
    assert.equal(decoder.stats.firstMalformed, `{"ev":"output","stream":"stdout","text":"${'x'.repeat(39)}`);
    assert.equal(decoder.stats.events, 1);
  });

  it('drops a byte order mark at the start of the stream only, wherever the chunks are cut', () => {
    const whole = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(`${JSON.stringify(START)}\n`), 0xef, 0xbb, 0xbf, ...bytes(`${JSON.stringify(TASK)}\n`)]);
    for (const cut of [1, 2, 5, whole.length - 60]) {
      const { events, decoder } = decodeAll([whole.subarray(0, cut), whole.subarray(cut)]);
      assert.deepEqual(events.map((e) => e.ev), ['start'], `split at byte ${cut}`);
      assert.equal(decoder.stats.malformed, 1);
    }
  });

  describe('follows src/protocol/schema.json', () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'src/protocol/schema.json'), 'utf8'));
    const kinds: [string, Record<string, unknown>][] = schema.oneOf.map((entry: { $ref: string }) => {
      const def = schema.$defs[entry.$ref.split('/').pop()!];
      return [def.properties.ev.const, def];
    });
    /** A value of the JSON type the schema gives a field (its first non-null type). */
    const sample = (property: Record<string, unknown>): unknown => {
      const ref = property.$ref as string | undefined;
      const s = (ref ? schema.$defs[ref.split('/').pop()!] : property) as Record<string, unknown>;
      if (Array.isArray(s.enum)) return s.enum[0];
      const type = ([] as unknown[]).concat(s.type).find((t) => t !== 'null');
      return type === 'integer' || type === 'number' ? 1 : type === 'string' ? 'x' : type === 'boolean' ? true
        : type === 'array' ? [] : {};
    };

    it('accepts an event of each kind holding only the fields the schema indexes by, and refuses it without any one of them', () => {
      for (const [kind, def] of kinds) {
        const properties = def.properties as Record<string, Record<string, unknown>>;
        const indexed = def['x-index'] as string[];
        const minimal: Record<string, unknown> = { ev: kind };
        for (const field of indexed) minimal[field] = sample(properties[field]);
        if (kind === 'start') minimal.protocol = PROTOCOL_MAJOR;
        assert.equal(decodeAll([bytes(`${JSON.stringify(minimal)}\n`)]).events.length, 1, kind);
        for (const field of indexed) {
          const without = { ...minimal };
          delete without[field];
          const wrongType = { ...minimal, [field]: typeof minimal[field] === 'string' ? 1 : 'x' };
          for (const bad of [without, wrongType]) {
            const { events, decoder } = decodeAll([bytes(`${JSON.stringify(bad)}\n`)]);
            assert.equal(events.length, 0, `${kind} without a valid ${field}`);
            assert.equal(decoder.stats.malformed, 1);
          }
        }
      }
    });

    it('has events.ts and the tables of docs/protocol.md generated from the current schema', () => {
      const check = spawnSync(process.execPath, [join(REPO, 'scripts/gen-protocol.mjs'), '--check'], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stderr);
    });
  });
});

