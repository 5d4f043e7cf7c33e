import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, describe, runChecked } from '../../util/exec.js';
import { GitfleetError } from '../../util/errors.js';
import { detectWith, withCtx } from '../common.js';
import type { AdapterContext, AvailableVersion, Detection, InstalledList, ManagerAdapter, Target } from '../types.js';
import { wingetCommands, wingetExportCommand, wingetShowVersionsCommand, wingetVersionCommand } from './commands.js';
import {
  isWingetNotFound, normalizeWingetName, parseWingetExport, parseWingetShowVersions, parseWingetVersionOutput, validWingetName,
} from './parse.js';
import { loose } from './versions.js';

/** winget (Windows Package Manager): installed packages from `winget export`. */
export const wingetAdapter: ManagerAdapter = {
  id: 'winget',
  os: ['windows'],
  versions: loose,
  normalizeName: normalizeWingetName,
  validName: validWingetName,

  async detect(ctx: AdapterContext): Promise<Detection> {
    return detectWith(ctx, withCtx(wingetVersionCommand(), ctx), (res) => ({ present: true, version: parseWingetVersionOutput(res.stdout) }));
  },

  // winget keeps no database gitfleet could read (it asks Windows' uninstall registry and MSIX on each
  // call), so listing always runs `winget export` into a private temp file and reads that.
  async listInstalled(target: Target, ctx: AdapterContext): Promise<InstalledList> {
    if (target.kind !== 'system') {
      throw new GitfleetError('E_UNSUPPORTED', `winget lists only the system; target kind "${target.kind}" is not supported`);
    }
    const dir = await mkdtemp(join(tmpdir(), 'gitfleet-winget-'));
    try {
      const file = join(dir, 'export.json');
      const cmd = withCtx(wingetExportCommand(file), ctx);
      const res = await ctx.runner.run(cmd);
      // The file is the answer: packages winget cannot match to a source are only warnings on stdout,
      // so a written file is used whatever the exit code; no file is a failure.
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) {
        throw new CommandError('E_COMMAND_FAILED', `${describe(cmd)} exited with ${res.exitCode} and wrote no export file`, {
          command: cmd, exitCode: res.exitCode, stderr: res.stderr || res.stdout, durationMs: res.durationMs,
        });
      }
      return { packages: parseWingetExport(text), via: 'command' };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },

  async listAvailable(name, ctx, sources): Promise<AvailableVersion[]> {
    const cmd = withCtx(wingetShowVersionsCommand(name, sources), ctx);
    const res = await ctx.runner.run(cmd);
    if (res.exitCode !== 0 && isWingetNotFound(res.stdout)) return [];
    // Reuse runChecked's CommandError (command, exit code, stderr tail) for the result already in hand.
    if (res.exitCode !== 0) await runChecked({ run: async () => res }, cmd);
    return parseWingetShowVersions(res.stdout);
  },

  commands: (changes, target, sources) => wingetCommands(changes, target, sources),
};
