using System.Reflection;

namespace PipelineOps.Host;

internal static class Program
{
    private const int UsageError = 64;

    private static int Main(string[] args)
    {
        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args);
        }
        catch (CommandLineException e)
        {
            Console.Error.WriteLine($"pipelineops: {e.Message}");
            Console.Error.WriteLine(CommandLine.Usage);
            return UsageError;
        }

        if (commandLine.ShowHelp)
        {
            Console.Out.WriteLine(CommandLine.Usage);
            return 0;
        }

        if (commandLine.ShowVersion)
        {
            Console.Out.WriteLine(typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?");
            return 0;
        }

        if (commandLine.File is { } file && !System.IO.File.Exists(file))
        {
            Console.Error.WriteLine($"pipelineops: The script '{file}' does not exist.");
            return UsageError;
        }

        return new ScriptRunner(commandLine, Console.Out, Console.Error).Run();
    }
}
