using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace PipelineOps.Host;

/// <summary>
/// Runs one script or command in a runspace with the module imported, streams its output through Out-Default,
/// and turns Ctrl+C and SIGTERM into PowerShell's own pipeline stop (so StopProcessing and finally blocks run).
/// </summary>
internal sealed partial class ScriptRunner
{
    private const int Failed = 1;
    private const int Interrupted = 130;

    private readonly CommandLine _commandLine;
    private readonly TextWriter _stderr;
    private readonly PipelineOpsHost _host;
    private int _errorsShown;
    private volatile StopReason _stopReason;

    public ScriptRunner(CommandLine commandLine, TextWriter stdout, TextWriter stderr)
    {
        _commandLine = commandLine;
        _stderr = stderr;
        _host = new PipelineOpsHost(stdout, stderr);
    }

    private enum StopReason
    {
        None,
        Interrupt,
        Terminate,
    }

    public int Run()
    {
        var state = InitialSessionState.CreateDefault2();
        if (!_commandLine.NoModule)
        {
            var module = ModuleLocator.Find();
            if (module is null)
            {
                _stderr.WriteLine("pipelineops: cannot find the PipelineOps module (looked next to this program and in PIPELINEOPS_MODULE).");
                return Failed;
            }

            state.ImportPSModule(module);
        }

        state.ThrowOnRunspaceOpenError = true;

        using var runspace = RunspaceFactory.CreateRunspace(_host, state);
        try
        {
            runspace.Open();
        }
        catch (Exception e)
        {
            _stderr.WriteLine($"pipelineops: the engine could not start: {e.Message}");
            return Failed;
        }

        using var shell = PowerShell.Create(runspace);
        shell.AddScript(BuildScript(), useLocalScope: false).AddCommand("Out-Default");
        shell.Streams.Error.DataAdded += (_, e) => ShowError(shell.Streams.Error[e.Index]);

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            RequestStop(shell, StopReason.Terminate);
        });
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            RequestStop(shell, StopReason.Interrupt);
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            shell.Invoke();
        }
        catch (PipelineStoppedException)
        {
            // Reported through the stop reason below.
        }
        catch (RuntimeException e)
        {
            ShowError(e.ErrorRecord);
            return _stopReason == StopReason.None ? Failed : ExitCodeForStop();
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            _host.FinishProgress();
        }

        if (_stopReason != StopReason.None)
        {
            return ExitCodeForStop();
        }

        if (_host.ExitCode is { } exit)
        {
            return exit;
        }

        if (runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is int last && last != 0)
        {
            return last;
        }

        return _errorsShown > 0 ? Failed : 0;
    }

    private int ExitCodeForStop() => _stopReason == StopReason.Interrupt ? Interrupted : 0;

    private void RequestStop(PowerShell shell, StopReason reason)
    {
        if (_stopReason != StopReason.None)
        {
            return;
        }

        _stopReason = reason;
        _stderr.WriteLine(reason == StopReason.Terminate ? "pipelineops: SIGTERM received, stopping..." : "pipelineops: stopping...");
        shell.BeginStop(null, null);
    }

    private string BuildScript()
    {
        if (_commandLine.Command is { } command)
        {
            return command == "-" ? Console.In.ReadToEnd() : command;
        }

        // pwsh -File semantics: invoke the script by path so $PSScriptRoot and $MyInvocation are right, and let
        // "-Name" tokens bind as parameter names while everything else is passed as a literal string.
        var script = new StringBuilder("& ").Append(Quote(Path.GetFullPath(_commandLine.File!)));
        foreach (var argument in _commandLine.FileArguments)
        {
            script.Append(' ');
            if (ParameterToken().IsMatch(argument))
            {
                script.Append(argument);
            }
            else if (ParameterWithValue().Match(argument) is { Success: true } named)
            {
                script.Append(named.Groups[1].Value).Append(':').Append(Quote(named.Groups[2].Value));
            }
            else
            {
                script.Append(Quote(argument));
            }
        }

        return script.ToString();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^-[A-Za-z_][A-Za-z0-9_]*:?$")]
    private static partial Regex ParameterToken();

    [GeneratedRegex(@"^(-[A-Za-z_][A-Za-z0-9_]*):(.+)$")]
    private static partial Regex ParameterWithValue();

    private void ShowError(ErrorRecord record)
    {
        Interlocked.Increment(ref _errorsShown);
        _host.ShowError(record);
    }
}

/// <summary>Finds the module manifest the host imports.</summary>
internal static class ModuleLocator
{
    public static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable("PIPELINEOPS_MODULE");
        if (!string.IsNullOrEmpty(configured))
        {
            var manifest = Directory.Exists(configured) ? Path.Combine(configured, "PipelineOps.psd1") : configured;
            return File.Exists(manifest) ? Path.GetFullPath(manifest) : null;
        }

        foreach (var candidate in new[] { "../PipelineOps/PipelineOps.psd1", "PipelineOps/PipelineOps.psd1" })
        {
            var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, candidate));
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}
