// `anode attach PID | HOST:PORT | ws://…`: a console (or one-shot `-e` evaluations) into a program that is
// already running. Leaving detaches: the program keeps running, and an inspector anode opened is closed.
import { Command } from 'commander';
import { TargetClosedError, WrongProcessError } from '../errors.js';
import { AGENT_REF } from '../session/agent.js';
import { Evaluator } from '../session/evaluator.js';
import { openRemoteSession } from '../session/remote.js';
import type { EvalSession } from '../session/session.js';
import { reachPidInspector } from '../target/attach.js';
import { hostPort, inspectorUrl, parseAttachTarget } from '../target/endpoint.js';
import { banner } from './banner.js';
import { holdTerminalConsole, type ConsoleFlags } from './hold.js';
import { say } from './say.js';

export interface AttachFlags extends Omit<ConsoleFlags, 'color'> {
  /** `--color` / `--no-color`; undefined when neither was given. */
  color?: boolean;
  eval: string[];
}

/** The `attach` command; `consoleOptions` adds the flags every console shares. */
export function attachCommand(consoleOptions: (cmd: Command) => Command, setExitCode: (code: number) => void): Command {
  const cmd = new Command('attach')
    .description('a console into a Node.js program that is already running (by pid, HOST:PORT or ws:// URL)')
    .argument('<target>', 'a pid (see `anode ps`), HOST:PORT of an inspector, or its ws:// URL')
    .option('-e, --eval <code>', 'evaluate CODE, print the result on stdout and leave (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--color', 'colour results (also with -e)');
  return consoleOptions(cmd)
    .helpOption('-h, --help', 'show this help')
    .action(async (target: string) => setExitCode(await attach(target, cmd.opts<AttachFlags>())));
}

/** Where anode connected, and whether it must close the inspector again when leaving. */
interface Attached {
  session: EvalSession;
  where: string;
  openedByAnode: boolean;
}

/** Attaches to `target`; resolves to anode's exit code. */
export async function attach(target: string, flags: AttachFlags): Promise<number> {
  const attached = await connect(target);
  const { session } = attached;
  if (flags.eval.length > 0) return evaluateOnce(attached, flags);
  const note = attached.openedByAnode
    ? `anode opened its inspector on ${attached.where}; leaving closes it again and the program keeps running.`
    : `inspector ${attached.where}; leaving detaches and the program keeps running.`;
  const end = await holdTerminalConsole(
    session,
    { ...flags, color: flags.color !== false },
    `${banner(session.info, 'attached to')}\n${note}`,
  );
  if (end.by === 'user') {
    await detach(attached);
    return 0;
  }
  say(`the program exited (pid ${session.info.pid}); an attached program's exit code is not known to anode`);
  return 1;
}

/** Reaches the target, opens a session and (for a pid) checks it is that process. */
async function connect(text: string): Promise<Attached> {
  const target = parseAttachTarget(text);
  let url: string;
  let where: string;
  let openedByAnode = false;
  if (target.kind === 'pid') {
    const found = await reachPidInspector(target.pid);
    ({ url, where, openedByAnode } = found);
  } else if (target.kind === 'address') {
    where = hostPort(target.host, target.port);
    url = await inspectorUrl(target.host, target.port);
  } else {
    url = target.url;
    where = new URL(url).host;
  }
  const session = await openRemoteSession(url);
  const attached = { session, where, openedByAnode };
  if (target.kind === 'pid' && session.info.pid !== target.pid) {
    await session.close();
    throw new WrongProcessError(target.pid, session.info.pid, where);
  }
  return attached;
}

/** `-e`: evaluates each expression in order, results on stdout; the first that throws ends it (exit 1). */
async function evaluateOnce(attached: Attached, flags: AttachFlags): Promise<number> {
  const evaluator = new Evaluator(attached.session, { colors: flags.color === true });
  let code = 0;
  try {
    for (const source of flags.eval) {
      const outcome = await evaluator.evaluate(source);
      if (outcome.kind === 'value') {
        process.stdout.write(`${outcome.text}\n`);
      } else {
        process.stderr.write(`${outcome.text}\n`);
        code = 1;
        break;
      }
    }
  } catch (err) {
    if (err instanceof TargetClosedError) {
      await attached.session.close();
      throw new TargetClosedError(`the program exited during the evaluation (pid ${attached.session.info.pid})`, err);
    }
    await detach(attached);
    throw err;
  }
  await detach(attached);
  return code;
}

/** Leaves the target as it was: closes an inspector anode opened, then the connections. */
async function detach({ session, openedByAnode }: Attached): Promise<void> {
  if (openedByAnode) {
    // Closing must wait until this evaluation has answered: hence setImmediate.
    await session.evalChannel
      .send('Runtime.evaluate', {
        expression: `setImmediate(() => ${AGENT_REF}.require('node:inspector').close()), undefined`,
      })
      .catch(() => undefined);
  }
  await session.close();
}
