// Which Node releases abort inside V8 when a promise an in-process inspector session awaits is
// garbage-collected (the weak callback answers "Promise was collected" from inside the collector, and an
// in-process session then runs JavaScript there): every 22.x, and 24.x before 24.20. Measured on 22.0.0,
// 22.12.0, 22.23.5, 24.0.0, 24.9.0, 24.12.0, 24.15.0, 24.18.0, 24.19.0 (affected) and 20.20.2, 24.20.0,
// 24.21.0, 24.22.1, 24.22.3, 26.12.1 (not affected). A remote
// connection only gets the error reply on those releases; the library's consoles go through a worker
// thread there (worker-inspector-channel.ts), where the reply is only a message.

/** True when this Node release (default: the running one) aborts on a collected awaited promise in-process. */
export function collectedPromiseAborts(version: string = process.version): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  if (major >= 21 && major <= 23) return true; // 21 and 23 not measured: taken as affected (safe)
  return major === 24 && minor < 20;
}
