// The part of `.loop` that runs in the target: it is sent as text (Function.prototype.toString), so it must
// not reference anything outside itself. It reads what the event loop holds from Node's own lists
// (process._getActiveHandles/_getActiveRequests/getActiveResourcesInfo, the timers module's lists, and
// what the inspector found on the heap), and it never runs the program's code: every read goes through
// target-read.ts (data properties and native accessors only, no Proxy touched, only native methods called).
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Readers } from './target-read.js';

/** What the target reports; `fns` (the callbacks to locate) travels separately as live objects. */
export interface RawLoop {
  pid: number;
  node: string;
  cwd: string;
  servers: { kind: string; address: string; connections: number | null }[];
  serverCount: number;
  sockets: {
    kind: string;
    local: string;
    peer: string;
    read: number | null;
    written: number | null;
    idleMs: number | null;
    server: string | null;
  }[];
  socketCount: number;
  /** Sockets grouped: accepted ones by server and peer host, the program's own connections by peer. */
  socketGroups: { kind: string; group: string; count: number; read: number; written: number }[];
  pipes: { kind: string; fd: number | null }[];
  /** Timer groups; `fn` indexes the callbacks array (-1: none); `ms` -1: various periods (many groups). */
  timers: { kind: 'interval' | 'timeout'; ms: number; dueInMs: number; count: number; refed: number; name: string; fn: number }[];
  timerCount: number;
  immediates: { name: string; count: number; fn: number }[];
  immediateCount: number;
  requests: { type: string; count: number }[];
  children: { pid: number | null; command: string }[];
  childCount: number;
  workers: { threadId: number | null }[];
  workerCount: number;
  other: { type: string; count: number }[];
  resources: { type: string; count: number }[];
  /** Open descriptors by kind (`unread`: past the bound, not looked at). */
  files: { files: string[]; fileCount: number; pipes: number; sockets: number; other: number; unread: number } | null;
  memory: { rss: number | null };
  elu: number | null;
  /** The collection stopped at its time budget: counts are partial. */
  truncated: boolean;
}

/** Runs in the target. `max`: most detail rows per section; `budgetMs`: time budget. */
export function collectLoop(
  this: void,
  agent: any,
  readers: Readers,
  timerLists: unknown,
  immediateQueue: unknown,
  heapTimers: unknown[],
  heapImmediates: unknown[],
  emitters: unknown[],
  max: number,
  budgetMs: number,
): { data: string; fns: unknown[] } {
  const started = Date.now();
  const net = agent.require('net');
  const { isProxy, toText, isObj, read, inherits, nameOf, symbolValue, handleOf, num, addressOf, hostOf } = readers;
  const ADDRESSED = 2000;
  let truncated = false;
  const overBudget = (i: number): boolean => {
    if (i % 256 !== 0) return truncated;
    if (Date.now() - started > budgetMs) truncated = true;
    return truncated;
  };
  // Callbacks are told apart by their source text: the closures one line creates are one group, and
  // one of each group is located (file:line) by the inspector afterwards.
  const MAX_FNS = 200;
  const fns: unknown[] = [];
  const fnIndex = new Map<string, number>();
  const sourceOf = (fn: unknown): string => {
    if (typeof fn !== 'function' || isProxy(fn)) return '';
    try {
      return toText.call(fn);
    } catch {
      return '';
    }
  };
  const locate = (fn: unknown, source: string): number => {
    if (typeof fn !== 'function' || isProxy(fn)) return -1;
    let i = fnIndex.get(source);
    if (i === undefined) {
      if (fns.length >= MAX_FNS) return -1;
      i = fns.length;
      fns.push(fn);
      fnIndex.set(source, i);
    }
    return i;
  };
  const fnName = (fn: unknown): string => {
    if (typeof fn !== 'function' || isProxy(fn)) return '';
    const n = read(fn, 'name');
    return typeof n === 'string' ? n : '';
  };
  const counted = (map: Map<string, number>): { type: string; count: number }[] =>
    [...map].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count);
  const bump = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);

  // A timer created and cleared at once tells the loop's clock, in the timers' own unit.
  const probe: any = setTimeout(() => undefined, 1e9);
  const now: number = read(probe, '_idleStart') ?? 0;
  clearTimeout(probe);

  const out: RawLoop = {
    pid: process.pid,
    node: process.version,
    cwd: process.cwd(),
    servers: [],
    serverCount: 0,
    sockets: [],
    socketCount: 0,
    socketGroups: [],
    pipes: [],
    timers: [],
    timerCount: 0,
    immediates: [],
    immediateCount: 0,
    requests: [],
    children: [],
    childCount: 0,
    workers: [],
    workerCount: 0,
    other: [],
    resources: [],
    files: null,
    memory: { rss: null },
    elu: null,
    truncated: false,
  };

  // Timers first: what a leak hunt needs most survives a collection cut at its time budget.
  // Timers are not handles: Node keeps the pending ones in lists of its own (one per duration, linked
  // through _idleNext), and the immediates in a queue; read from there (or, failing that, from the heap).
  const LINKS = 1e6;
  const timers: unknown[] = [...heapTimers];
  if (isObj(timerLists)) {
    for (const key of Reflect.ownKeys(timerLists)) {
      const list = read(timerLists, key);
      let n = 0;
      for (let t = read(list, '_idleNext'); isObj(t) && t !== list && n < LINKS && !overBudget(n); t = read(t, '_idleNext'), n++) timers.push(t);
    }
  }
  const immediates: unknown[] = [...heapImmediates];
  if (isObj(immediateQueue)) {
    let n = 0;
    for (let im = read(immediateQueue, 'head'); isObj(im) && n < LINKS && !overBudget(n); im = read(im, '_idleNext'), n++) immediates.push(im);
  }
  // The pending ones only (what the heap holds may have fired or been cleared).
  const timerGroups = new Map<string, RawLoop['timers'][number]>();
  timers.forEach((t, i) => {
    if (overBudget(i) || isProxy(t) || read(t, '_destroyed') !== false) return;
    const ms = num(read(t, '_idleTimeout'));
    if (ms === null || ms < 0) return;
    const repeat = num(read(t, '_repeat'));
    const start = num(read(t, '_idleStart')) ?? now;
    const fn = read(t, '_onTimeout');
    const refed = symbolValue(t, 'refed') !== false;
    out.timerCount += 1;
    const kind = repeat !== null ? 'interval' : 'timeout';
    const name = fnName(fn);
    const source = `${name}\u0000${sourceOf(fn)}`;
    // One group per callback source and period; with many groups already, periods are not told apart.
    let key = `${kind}:${ms}:${source}`;
    if (!timerGroups.has(key) && timerGroups.size >= MAX_FNS) key = `${kind}:*:${source}`;
    const dueIn = Math.max(0, start + ms - now);
    const g = timerGroups.get(key);
    if (g) {
      g.count += 1;
      if (refed) g.refed += 1;
      g.dueInMs = Math.min(g.dueInMs, dueIn);
    } else {
      timerGroups.set(key, { kind, ms: key.includes(':*:') ? -1 : ms, dueInMs: dueIn, count: 1, refed: refed ? 1 : 0, name, fn: locate(fn, source) });
    }
  });
  out.timers = [...timerGroups.values()].sort((a, b) => b.count - a.count).slice(0, Math.max(max, 50));

  // The active handles miss unref'd ones (a keep-alive agent's idle sockets): the servers, sockets and
  // children found on the heap come first (servers before the sockets that name them), then the rest.
  const seen = new Set<unknown>();
  const servers: unknown[] = [];
  const rest: unknown[] = [];
  const active = (process as any)._getActiveHandles() as unknown[];
  const workers: unknown[] = [];
  const loaded = (process as any).moduleLoadList;
  const Worker = Array.isArray(loaded) && loaded.includes('NativeModule worker_threads') ? agent.require('worker_threads').Worker : undefined;
  const found = emitters.filter((e, i) => {
    if (overBudget(i) || isProxy(e)) return false;
    if (Worker && inherits(e, Worker.prototype)) {
      workers.push(e);
      return false;
    }
    return inherits(e, net.Server.prototype) || inherits(e, net.Socket.prototype) || nameOf(e) === 'ChildProcess';
  });
  for (const list of [found, active]) {
    for (const h of list) {
      if (seen.has(h) || isProxy(h)) continue;
      seen.add(h);
      // What the heap holds may be closed already (no handle left): only open ones count.
      if (list !== active && !isObj(handleOf(h))) continue;
      (inherits(h, net.Server.prototype) ? servers : rest).push(h);
    }
  }
  const handles = [...servers, ...rest];
  const serverNames = new Map<unknown, string>();
  const groups = new Map<string, RawLoop['socketGroups'][number]>();
  const other = new Map<string, number>();
  handles.forEach((h, i) => {
    if (overBudget(i) || isProxy(h)) return;
    if (inherits(h, net.Server.prototype)) {
      const handle = handleOf(h);
      const pipe = read(h, '_pipeName');
      const address = typeof pipe === 'string' ? pipe : addressOf(handle, 'getsockname');
      const kind =
        read(h, '_sharedCreds') !== undefined || read(h, '_contexts') !== undefined
          ? read(h, 'keepAliveTimeout') !== undefined ? 'https' : 'tls'
          : read(h, 'keepAliveTimeout') !== undefined ? 'http' : typeof pipe === 'string' ? 'pipe' : 'tcp';
      serverNames.set(h, address);
      out.serverCount += 1;
      if (out.servers.length < max) out.servers.push({ kind, address, connections: num(read(h, '_connections')) });
      return;
    }
    if (inherits(h, net.Socket.prototype)) {
      const handle = handleOf(h);
      const type = nameOf(handle);
      if (type === 'TTY' || (type === 'Pipe' && addressOf(handle, 'getpeername') === '' && !isObj(read(h, 'server')))) {
        const fd = num(read(handle, 'fd'));
        if (out.pipes.length < max) out.pipes.push({ kind: type === 'TTY' ? 'tty' : 'pipe', fd });
        return;
      }
      const kind = type === 'TCP' ? 'tcp' : type === 'Pipe' ? 'pipe' : type.toLowerCase();
      // Addresses cost a system call each: read for the rows shown and the first few thousand grouped.
      const addressed = out.socketCount < Math.max(max, ADDRESSED);
      const local = addressed ? addressOf(handle, 'getsockname') : '';
      const peer = addressed ? addressOf(handle, 'getpeername') : '';
      const read_ = num(read(handle, 'bytesRead'));
      const written = num(read(handle, 'bytesWritten'));
      // A socket with a timeout re-arms its timer on activity: the timer tells how long it has been idle.
      const timer = symbolValue(h, 'timeout');
      const idleStart = num(read(timer, '_idleStart'));
      const idleTimeout = num(read(timer, '_idleTimeout'));
      const server = read(h, 'server');
      const serverAddress = server !== undefined && server !== null ? (serverNames.get(server) ?? addressOf(handleOf(server), 'getsockname')) : null;
      out.socketCount += 1;
      const group =
        serverAddress !== null
          ? `accepted by ${serverAddress}${addressed ? ` from ${hostOf(peer) || '?'}` : ''}`
          : addressed ? `connected to ${peer || '?'}` : 'connected (peer not read)';
      const key = `${kind} ${group}`;
      const g = groups.get(key) ?? { kind, group, count: 0, read: 0, written: 0 };
      g.count += 1;
      g.read += read_ ?? 0;
      g.written += written ?? 0;
      groups.set(key, g);
      if (out.sockets.length < max) {
        out.sockets.push({
          kind,
          local,
          peer,
          read: read_,
          written,
          idleMs: idleStart !== null && idleTimeout !== null && idleTimeout > 0 ? Math.max(0, now - idleStart) : null,
          server: serverAddress,
        });
      }
      return;
    }
    const type = nameOf(h);
    if (type === 'ChildProcess') {
      out.childCount += 1;
      const args = read(h, 'spawnargs');
      const file = read(h, 'spawnfile');
      const command = Array.isArray(args) ? args.filter((a) => typeof a === 'string').join(' ') : typeof file === 'string' ? file : '?';
      if (out.children.length < max) out.children.push({ pid: num(read(h, 'pid')), command: command.length > 200 ? `${command.slice(0, 199)}…` : command });
      return;
    }
    bump(other, type === 'Socket' && read(h, 'type') !== undefined ? `udp (${read(h, 'type')})` : type);
  });
  out.socketGroups = [...groups.values()].sort((a, b) => b.count - a.count).slice(0, max);
  out.other = counted(other);


  const immediateGroups = new Map<string, RawLoop['immediates'][number]>();
  immediates.forEach((im, i) => {
    if (overBudget(i) || isProxy(im) || read(im, '_destroyed') !== false) return;
    const fn = read(im, '_onImmediate');
    out.immediateCount += 1;
    const name = fnName(fn);
    const source = `${name}\u0000${sourceOf(fn)}`;
    const g = immediateGroups.get(source);
    if (g) g.count += 1;
    else if (immediateGroups.size < MAX_FNS) immediateGroups.set(source, { name, count: 1, fn: locate(fn, source) });
  });
  out.immediates = [...immediateGroups.values()].sort((a, b) => b.count - a.count).slice(0, max);

  for (const w of workers) {
    if (isProxy(w)) continue;
    const handle = symbolValue(w, 'kHandle');
    if (!isObj(handle)) continue;
    out.workerCount += 1;
    if (out.workers.length < max) out.workers.push({ threadId: num(read(handle, 'threadId')) });
  }

  const requests = new Map<string, number>();
  for (const r of (process as any)._getActiveRequests() as unknown[]) bump(requests, nameOf(r));
  out.requests = counted(requests);
  const resources = new Map<string, number>();
  const info = (process as any).getActiveResourcesInfo;
  if (typeof info === 'function') for (const type of info.call(process) as string[]) bump(resources, type);
  out.resources = counted(resources);

  // Open descriptors, where the system lists them.
  try {
    const fs = agent.require('fs');
    const names: string[] = fs.readdirSync('/proc/self/fd');
    const FDS = Math.max(2000, max);
    const files = { files: [] as string[], fileCount: 0, pipes: 0, sockets: 0, other: 0, unread: 0 };
    for (const [i, n] of names.entries()) {
      if (overBudget(i) || i >= FDS) {
        files.unread = names.length - i;
        break;
      }
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/self/fd/${n}`);
      } catch {
        continue;
      }
      if (target.startsWith('socket:')) files.sockets += 1;
      else if (target.startsWith('pipe:')) files.pipes += 1;
      else if (target.startsWith('/') && !target.startsWith('/dev/')) {
        files.fileCount += 1;
        if (files.files.length < max) files.files.push(target);
      } else files.other += 1;
    }
    out.files = files;
  } catch {
    out.files = null;
  }
  try {
    out.memory.rss = process.memoryUsage.rss();
  } catch {
    out.memory.rss = null;
  }
  try {
    out.elu = agent.require('perf_hooks').performance.eventLoopUtilization().utilization;
  } catch {
    out.elu = null;
  }
  out.truncated = truncated;
  return { data: JSON.stringify(out), fns };
}

/**
 * Runs in the target: the prototypes whose live instances `.loop` asks the inspector for, each ask costing
 * the program a full garbage collection: timers and immediates only when their lists cannot be reached
 * (`lists` false), event emitters (unref'd servers and sockets, worker threads) only when `deep`.
 */
export function loopPrototypes(this: void, agent: any, lists: boolean, deep: boolean): unknown[] {
  let timeout = null;
  let immediate = null;
  if (!lists) {
    const t: any = setTimeout(() => undefined, 1e9);
    clearTimeout(t);
    const im: any = setImmediate(() => undefined);
    clearImmediate(im);
    timeout = Object.getPrototypeOf(t);
    immediate = Object.getPrototypeOf(im);
  }
  return [timeout, immediate, deep ? agent.require('events').EventEmitter.prototype : null];
}
