import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandNames, commandTable } from '../../main/cli/index.js';

const argv = (...args: string[]) => ['node', 'keyhold', ...args];

describe('the keyhold command table', () => {
  it('says of each command what its module registers: name, arguments, description', async () => {
    for (const entry of commandTable) {
      const program = new Command('keyhold');
      (await entry.load())(program);
      expect(program.commands.map((c) => c.name())).toEqual([entry.name]);
      const command = program.commands[0]!;
      expect(command.description()).toBe(entry.description);
      const args = command.registeredArguments
        .map((a) => {
          const n = a.name() + (a.variadic ? '...' : '');
          return a.required ? `<${n}>` : `[${n}]`;
        })
        .join(' ');
      expect(args).toBe(entry.args ?? '');
    }
  });

  it('lists every command in --help from the table', async () => {
    const program = await buildProgram(argv('--help'));
    expect(program.commands.map((c) => c.name())).toEqual(commandNames);
    const help = program.helpInformation();
    for (const entry of commandTable) {
      expect(help).toContain(entry.name);
      expect(help).toContain(entry.description.slice(0, 30));
    }
    expect(help).toContain('import <file>');
  });

  it('registers only the command being run, completely (its own --help lists its subcommands)', async () => {
    const program = await buildProgram(argv('vault', '--help'));
    expect(program.commands.map((c) => c.name())).toEqual(['vault']);
    const vault = program.commands[0]!;
    expect(vault.commands.map((c) => c.name())).toContain('init');
    expect(vault.helpInformation()).toContain('init');
  });

  it('registers every command fully without argv', async () => {
    const program = await buildProgram();
    expect(program.commands.map((c) => c.name())).toEqual(commandNames);
    expect(program.commands.every((c) => c.commands.length > 0 || c.options.length > 0)).toBe(true);
  });
});
