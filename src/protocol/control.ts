// The control channel (docs/protocol.md, "Control channel"): lines the session writes to the
// tracer's control descriptor.
export type ControlCommand = 'pause' | `step ${number}` | 'continue' | 'stop';
