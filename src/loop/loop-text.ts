// The `.loop` report as text: sections of aligned columns, bounded unless all rows were asked for.
import type { LoopReport } from './snapshot.js';
import { bold, bytes, columns, cyan, dim, duration, percent, plural, yellow, type Style } from './table.js';

/** The report for a terminal (colours) or a plain stream. */
export function loopText(r: LoopReport, style: Style): string {
  const out: string[] = [];
  const head = (title: string): void => void out.push('', bold(title, style));
  const more = (shown: number, total: number, what: string): void => {
    if (total > shown) out.push(dim(`  … ${total - shown} more ${what} (.loop all / --all lists every one)`, style));
  };

  out.push(`${bold('Event loop', style)} of pid ${r.pid} (node ${r.node}), read in ${r.tookMs} ms${r.truncated ? yellow(' — partial: the time budget ran out', style) : ''}`);
  const d = r.delay;
  const loopLine = d
    ? `  utilization ${cyan(percent(d.utilization), style)} (since start ${percent(r.elu)}), delay p50 ${cyan(ms(d.p50), style)} p99 ${cyan(ms(d.p99), style)} max ${ms(d.max)}` +
      dim(` — sampled over ${Math.round(d.windowMs)} ms`, style)
    : `  utilization since start ${cyan(percent(r.elu), style)}`;
  out.push(loopLine);
  out.push(`  heap used ${cyan(bytes(r.heap?.used), style)} of ${bytes(r.heap?.total)}, rss ${cyan(bytes(r.memory.rss), style)}`);

  head(`Servers (${r.serverCount})`);
  if (r.serverCount === 0) out.push(dim('  none', style));
  out.push(...columns(r.servers.map((s) => [s.kind, s.address, s.connections === null ? '' : plural(s.connections, 'connection')])));
  more(r.servers.length, r.serverCount, 'servers');

  head(`Sockets (${r.socketCount})`);
  if (r.socketCount === 0) out.push(dim('  none', style));
  else if (r.limit !== null && r.socketCount > r.limit) {
    out.push(...columns(
      [
        [dim('count', style), dim('kind', style), dim('read', style), dim('written', style), dim('sockets', style)],
        ...r.socketGroups.map((g) => [String(g.count), g.kind, bytes(g.read), bytes(g.written), g.group]),
      ],
      [0, 2, 3],
    ));
    const grouped = r.socketGroups.reduce((n, g) => n + g.count, 0);
    if (grouped < r.socketCount) out.push(dim(`  … ${r.socketCount - grouped} more in smaller groups`, style));
    out.push(dim(`  (grouped: ${r.socketCount} sockets; .loop all / --all lists each one)`, style));
  } else {
    out.push(...columns(
      [
        [dim('kind', style), dim('local → peer', style), dim('read', style), dim('written', style), dim('idle', style), dim('server', style)],
        ...r.sockets.map((s) => [s.kind, `${s.local || '?'} → ${s.peer || '?'}`, bytes(s.read), bytes(s.written), duration(s.idleMs), s.server ?? '']),
      ],
      [2, 3, 4],
    ));
    more(r.sockets.length, r.socketCount, 'sockets');
  }

  const intervals = r.timers.filter((t) => t.kind === 'interval').reduce((n, t) => n + t.count, 0);
  head(`Timers (${r.timerCount}: ${plural(intervals, 'interval')}, ${plural(r.timerCount - intervals, 'timeout')})`);
  if (r.timerCount === 0) out.push(dim('  none', style));
  else {
    const shown = r.limit === null ? r.timers : r.timers.slice(0, r.limit);
    out.push(...columns(
      [
        [dim('count', style), dim('kind', style), dim('every / after', style), dim('due in', style), dim('callback', style), dim('defined at', style)],
        ...shown.map((t) => [
          String(t.count),
          t.kind + (t.refed === 0 ? dim(' (unref)', style) : ''),
          t.ms < 0 ? 'various' : `${t.kind === 'interval' ? 'every' : 'after'} ${duration(t.ms)}`,
          duration(t.dueInMs),
          t.name || dim('(anonymous)', style),
          cyan(t.where, style),
        ]),
      ],
      [0, 3],
    ));
    const listed = shown.reduce((n, t) => n + t.count, 0);
    if (listed < r.timerCount) out.push(dim(`  … ${r.timerCount - listed} more in smaller groups (.loop all / --all)`, style));
  }

  if (r.immediateCount > 0) {
    head(`Immediates (${r.immediateCount})`);
    out.push(...columns(r.immediates.map((i) => [String(i.count), i.name || dim('(anonymous)', style), cyan(i.where, style)]), [0]));
  }
  if (r.requests.length > 0) {
    head(`Pending requests (${r.requests.reduce((n, q) => n + q.count, 0)})`);
    out.push(...columns(r.requests.map((q) => [String(q.count), q.type]), [0]));
  }
  if (r.childCount > 0) {
    head(`Child processes (${r.childCount})`);
    out.push(...columns(r.children.map((c) => [`pid ${c.pid ?? '?'}`, c.command])));
    more(r.children.length, r.childCount, 'child processes');
  }
  if (r.workerCount > 0) {
    head(`Worker threads (${r.workerCount})`);
    out.push(...columns(r.workers.map((w) => [`thread ${w.threadId ?? '?'}`])));
    more(r.workers.length, r.workerCount, 'workers');
  }
  if (r.pipes.length > 0 || r.other.length > 0) {
    head('Other handles');
    out.push(...columns([...r.pipes.map((p) => [p.kind, p.fd === null ? '' : `fd ${p.fd}`]), ...r.other.map((o) => [o.type, `× ${o.count}`])]));
  }
  if (r.files) {
    const f = r.files;
    head(`Open descriptors: ${plural(f.fileCount, 'file')}, ${plural(f.pipes, 'pipe')}, ${plural(f.sockets, 'socket')}, ${f.other} other${f.unread ? `, ${f.unread} more not read` : ''}`);
    out.push(...f.files.map((file) => `  ${file}`));
    more(f.files.length, f.fileCount, 'files');
  }
  if (!r.deep) {
    out.push('', dim("Listed: what keeps the loop alive, and every timer. Unref'd sockets and servers (a keep-alive agent's idle", style));
    out.push(dim('ones) and worker threads need a heap search, which costs the program a full GC: .loop deep / --deep.', style));
  }
  return `${out.join('\n')}\n`;
}

function ms(v: number): string {
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}
