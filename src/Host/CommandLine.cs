namespace PipelineOps.Host;

/// <summary>What the user asked pipelineops to do.</summary>
internal sealed record CommandLine(
    string? File,
    IReadOnlyList<string> FileArguments,
    string? Command,
    bool NoModule,
    bool ShowHelp,
    bool ShowVersion)
{
    public const string Usage =
        """
        Usage:
          pipelineops -File <script.ps1> [arguments...]   run a script; arguments bind like in pwsh (-Name value)
          pipelineops -Command '<commands>'               run commands ('-' reads them from standard input)
          pipelineops -Version | -Help

        Options:
          -NoModule   start the engine without importing PipelineOps (to import it yourself)

        The PipelineOps module is imported from ../PipelineOps/ next to this program, or from the path in
        the PIPELINEOPS_MODULE environment variable. Output goes to stdout formatted with the module's views;
        errors, warnings, verbose messages and progress go to stderr.

        Exit codes: the script's own (exit N); 1 when it failed or wrote errors; 130 after Ctrl+C;
        0 after a clean stop on SIGTERM; 64 for a bad command line.
        """;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        string? file = null;
        string? command = null;
        var fileArgs = new List<string>();
        bool noModule = false, help = false, version = false;
        for (var i = 0; i < args.Count; i++)
        {
            var option = args[i].TrimStart('-').ToLowerInvariant();
            if (!args[i].StartsWith('-'))
            {
                throw new CommandLineException($"Unexpected argument '{args[i]}'.");
            }

            switch (option)
            {
                case "file" or "f":
                    file = i + 1 < args.Count ? args[++i] : throw new CommandLineException("-File needs a script path.");
                    fileArgs.AddRange(args.Skip(i + 1));
                    i = args.Count;
                    break;
                case "command" or "c":
                    if (i + 1 >= args.Count)
                    {
                        throw new CommandLineException("-Command needs the commands to run.");
                    }

                    command = string.Join(' ', args.Skip(i + 1));
                    i = args.Count;
                    break;
                case "nomodule":
                    noModule = true;
                    break;
                case "help" or "h" or "?":
                    help = true;
                    break;
                case "version" or "v":
                    version = true;
                    break;
                default:
                    throw new CommandLineException($"Unknown option '{args[i]}'.");
            }
        }

        if (!help && !version && file is null && command is null)
        {
            throw new CommandLineException("Give -File or -Command.");
        }

        return new CommandLine(file, fileArgs, command, noModule, help, version);
    }
}

internal sealed class CommandLineException(string message) : Exception(message);
