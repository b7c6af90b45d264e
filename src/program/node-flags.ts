// What a node process's own flags say about its inspector: read from its command line (the options before
// the script) and NODE_OPTIONS, without asking the process anything.

/** The inspector settings a node process was started with. */
export interface InspectorFlags {
  /** The inspector was opened at start (`--inspect`, `--inspect-brk`, `--inspect-wait`). */
  openAtStart: boolean;
  /** Where the inspector listens or would listen (`--inspect[=..]`, `--inspect-port`); default 127.0.0.1:9229. */
  host: string;
  port: number;
  /** /json/list answers (`--inspect-publish-uid` includes http, the default). */
  listsTargets: boolean;
  /** `--disable-sigusr1`. */
  sigusr1Disabled: boolean;
  /** The permission model (`--permission`, `--experimental-permission`), which turns activation off. */
  permission: boolean;
  /** The entry script, or a short description (`-e`, `-p`, the REPL). */
  main: string | undefined;
}

/**
 * Node options that take their value as the next argument (`--diagnostic-dir /tmp`); the rest use `=` or
 * take none (V8's own, like `--max-old-space-size`, take `=` only). The one list both `anode run` (what
 * comes before the program) and `anode attach` (a process's command line) read.
 */
export const NODE_FLAGS_WITH_VALUE: ReadonlySet<string> = new Set([
  '-r', '--require', '--import', '--loader', '--experimental-loader', '--inspect-port', '--debug-port',
  '--title', '-C', '--conditions', '--env-file', '--env-file-if-exists', '--input-type', '--experimental-default-type',
  '--stack-trace-limit', '--redirect-warnings', '--openssl-config', '--icu-data-dir', '--watch-path',
  '--disable-warning', '--allow-fs-read', '--allow-fs-write', '--cpu-prof-dir', '--cpu-prof-name',
  '--cpu-prof-interval', '--heap-prof-dir', '--heap-prof-name', '--heap-prof-interval', '--diagnostic-dir',
  '--report-dir', '--report-directory', '--report-filename', '--report-signal', '--heapsnapshot-signal',
  '--heapsnapshot-near-heap-limit', '--secure-heap', '--secure-heap-min', '--max-http-header-size',
  '--unhandled-rejections', '--dns-result-order', '--disable-proto', '--snapshot-blob', '--build-snapshot-config',
  '--experimental-config-file', '--experimental-sea-config', '--localstorage-file', '--tls-cipher-list',
  '--tls-keylog', '--trace-event-categories', '--trace-event-file-pattern', '--use-largepages', '--v8-pool-size',
  '--network-family-autoselection-attempt-timeout', '--watch-kill-signal', '--trace-require-module',
  '--test-reporter', '--test-reporter-destination', '--test-name-pattern', '--test-skip-pattern',
  '--test-concurrency', '--test-timeout', '--test-shard',
]);

/** Splits a node command line into its node options, its entry (script or -e/-p) and what follows. */
export function splitNodeArgv(argv: string[]): { options: string[]; main: string | undefined } {
  const options: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return { options, main: argv[i + 1] };
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print') return { options, main: `${arg} …` };
    if (!arg.startsWith('-') || arg === '-') return { options, main: arg };
    options.push(arg);
    if (NODE_FLAGS_WITH_VALUE.has(arg) && i + 1 < argv.length) options.push(argv[++i]!);
  }
  return { options, main: undefined };
}

/** Splits NODE_OPTIONS the way node does (spaces, with double quotes). */
export function splitNodeOptions(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/"((?:\\.|[^"\\])*)"|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

/** Parses `[host:]port` of --inspect options; undefined parts keep their previous value. */
export function parseHostPort(text: string): { host?: string; port?: number } {
  const m = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(text);
  if (m) return { ...(m[1] ? { host: m[1] } : {}), port: Number(m[2]) };
  return { host: text.replace(/^\[|\]$/g, '') };
}

/** What the inspector flags of `argv` (a /proc cmdline) plus NODE_OPTIONS amount to. */
export function inspectorFlags(argv: string[], nodeOptions?: string): InspectorFlags {
  const { options, main } = splitNodeArgv(argv);
  const flags: InspectorFlags = {
    openAtStart: false,
    host: '127.0.0.1',
    port: 9229,
    listsTargets: true,
    sigusr1Disabled: false,
    permission: false,
    main,
  };
  // NODE_OPTIONS first: the command line wins.
  const all = [...splitNodeOptions(nodeOptions), ...options];
  for (let i = 0; i < all.length; i++) {
    const arg = all[i]!;
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    if ((name === '--inspect-port' || name === '--debug-port') && value === undefined) value = all[++i];
    switch (name) {
      case '--inspect':
      case '--inspect-brk':
      case '--inspect-wait':
        flags.openAtStart = true;
        if (value !== undefined) Object.assign(flags, parseHostPort(value));
        break;
      case '--inspect-port':
      case '--debug-port':
        if (value !== undefined) Object.assign(flags, parseHostPort(value));
        break;
      case '--inspect-publish-uid':
        flags.listsTargets = (value ?? '').split(',').includes('http');
        break;
      case '--disable-sigusr1':
        flags.sigusr1Disabled = true;
        break;
      case '--permission':
      case '--experimental-permission':
        flags.permission = true;
        break;
    }
  }
  return flags;
}
