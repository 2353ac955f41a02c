"""Checks events against the protocol's one source, src/protocol/schema.json.

A validator for the part of JSON Schema that file uses ($ref, type, enum, const, properties,
required, additionalProperties, items, prefixItems, minItems/maxItems, minimum, oneOf),
compiled once into closures. Standard library only. tracer_harness checks every event of
every traced run with check_event().
"""

import json
import os

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'src', 'protocol', 'schema.json')

_TYPES = {
    'object': lambda v: isinstance(v, dict),
    'array': lambda v: isinstance(v, list),
    'string': lambda v: isinstance(v, str),
    'integer': lambda v: isinstance(v, int) and not isinstance(v, bool),
    'number': lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    'boolean': lambda v: isinstance(v, bool),
    'null': lambda v: v is None,
}


class _Compiler:
    def __init__(self, schema):
        self.defs = schema['$defs']
        self.compiled = {}

    def ref(self, name):
        if name not in self.compiled:
            self.compiled[name] = None  # recursion guard: filled in below
            check = self.node(self.defs[name])
            self.compiled[name] = check
        return lambda value, path: self.compiled[name](value, path)

    def node(self, s):
        checks = []
        if '$ref' in s:
            checks.append(self.ref(s['$ref'].split('/')[-1]))
        if 'const' in s:
            want = s['const']
            checks.append(lambda v, p: [] if v == want else ['%s: %r is not %r' % (p, v, want)])
        if 'enum' in s:
            allowed = s['enum']
            checks.append(lambda v, p: [] if v in allowed else ['%s: %r not one of %r' % (p, v, allowed)])
        if 'type' in s:
            names = s['type'] if isinstance(s['type'], list) else [s['type']]
            tests = [_TYPES[n] for n in names]
            checks.append(lambda v, p: [] if any(t(v) for t in tests)
                          else ['%s: %r is not of type %s' % (p, v, '/'.join(names))])
        if 'minimum' in s:
            low = s['minimum']
            checks.append(lambda v, p: ['%s: %r < %r' % (p, v, low)]
                          if _TYPES['number'](v) and v < low else [])
        if 'properties' in s or 'required' in s:
            checks.append(self.object(s))
        if 'items' in s or 'prefixItems' in s:
            checks.append(self.array(s))
        if 'oneOf' in s:
            options = [self.node(o) for o in s['oneOf']]

            def one_of(v, p):
                matching = sum(1 for o in options if not o(v, p))
                return [] if matching == 1 else ['%s: %r matches %d of the oneOf options'
                                                 % (p, v, matching)]
            checks.append(one_of)

        def check(value, path):
            errors = []
            for c in checks:
                errors.extend(c(value, path))
            return errors
        return check

    def object(self, s):
        props = {k: self.node(v) for k, v in s.get('properties', {}).items()}
        required = s.get('required', [])
        closed = s.get('additionalProperties') is False

        def check(v, p):
            if not isinstance(v, dict):
                return []
            errors = ['%s: missing %r' % (p, k) for k in required if k not in v]
            for k, item in v.items():
                if k in props:
                    errors.extend(props[k](item, '%s.%s' % (p, k)))
                elif closed:
                    errors.append('%s: unknown field %r' % (p, k))
            return errors
        return check

    def array(self, s):
        prefix = [self.node(x) for x in s.get('prefixItems', [])]
        items = self.node(s['items']) if 'items' in s else None
        low, high = s.get('minItems', 0), s.get('maxItems')

        def check(v, p):
            if not isinstance(v, list):
                return []
            errors = []
            if len(v) < low or (high is not None and len(v) > high):
                errors.append('%s: %d items' % (p, len(v)))
            for i, item in enumerate(v):
                c = prefix[i] if i < len(prefix) else items
                if c is not None:
                    errors.extend(c(item, '%s[%d]' % (p, i)))
            return errors
        return check


def _load():
    with open(SCHEMA_PATH, encoding='utf-8') as f:
        schema = json.load(f)
    compiler = _Compiler(schema)
    by_kind = {}
    for entry in schema['oneOf']:
        name = entry['$ref'].split('/')[-1]
        by_kind[schema['$defs'][name]['properties']['ev']['const']] = compiler.ref(name)
    return by_kind


_BY_KIND = _load()


def event_errors(event):
    """What is wrong with one event, as a list of sentences (empty when it is valid)."""
    check = _BY_KIND.get(event.get('ev')) if isinstance(event, dict) else None
    if check is None:
        return ['not an event of the protocol: %r' % (event,)]
    return check(event, event['ev'])


def check_event(event):
    errors = event_errors(event)
    if errors:
        raise AssertionError('event does not follow src/protocol/schema.json: %s\n  %s'
                             % (json.dumps(event)[:500], '\n  '.join(errors[:10])))
