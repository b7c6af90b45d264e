// Which Node releases abort inside V8 when a promise an in-process inspector session awaits is
// garbage-collected (the weak callback answers "Promise was collected" from inside the collector, and an
// in-process session then runs JavaScript there). Two ways in, measured with a raw in-process session:
//   - an evaluation awaiting a promise that is collected while it runs (`Promise.resolve(1).then(gc)`):
//     every 22.x and 24.x before 24.20 (22.0.0, 22.12.0, 22.23.5, 24.0.0, 24.9.0 ... 24.19.0); these are
//     also the releases where a remote connection gets the "Promise was collected" reply for it;
//   - Runtime.awaitPromise on a promise whose remote object is then released and collected (an abandoned
//     wait, e.g. an aborted aeval): also 24.20.0 ... 24.22.3 and 26.12.1.
// Only 20.x (20.20.2) survives both. A remote connection only gets the error reply; the library's
// consoles go through a worker thread on every affected release (worker-inspector-channel.ts), where
// the reply is only a message.

function majorMinor(version: string): [number, number] {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return [major, minor];
}

/** True when this Node release (default: the running one) reports an evaluation's collected awaited promise ("Promise was collected"). */
export function collectedPromiseReported(version: string = process.version): boolean {
  const [major, minor] = majorMinor(version);
  if (major >= 21 && major <= 23) return true; // 21 and 23 not measured: taken as affected (safe)
  return major === 24 && minor < 20;
}

/** True when an in-process inspector session can abort this Node release (default: the running one) on a collected awaited promise. */
export function inProcessSessionAborts(version: string = process.version): boolean {
  return majorMinor(version)[0] >= 21; // 21, 23 and 25 not measured: taken as affected (safe)
}
