using System.Diagnostics;
using System.Text;

namespace PipelineOps.Module.Tests.Support;

/// <summary>Runs the staged pipelineops program as a separate process.</summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _lines = [];
    private readonly object _gate = new();

    private HostProcess(ProcessStartInfo info)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_gate)
            {
                _stdout.AppendLine(e.Data);
                _lines.Add(e.Data);
                Monitor.PulseAll(_gate);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_gate)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public static HostProcess Start(IEnumerable<string> arguments, string? workingDirectory = null,
        IDictionary<string, string>? environment = null, string? runAs = null)
    {
        var info = runAs is null ? new ProcessStartInfo(Repo.HostExecutable) : Unprivileged(runAs);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.WorkingDirectory = workingDirectory ?? Path.GetTempPath();
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new HostProcess(info);
    }

    /// <summary>Runs pipelineops to completion.</summary>
    public static HostResult Run(params string[] arguments) => RunIn(null, arguments);

    public static HostResult RunIn(string? workingDirectory, params string[] arguments)
    {
        using var process = Start(arguments, workingDirectory);
        return process.WaitForExit();
    }

    public HostResult WaitForExit()
    {
        _process.WaitForExit();
        lock (_gate)
        {
            return new HostResult(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
        }
    }

    /// <summary>Blocks until a line equal to <paramref name="line"/> appears on stdout, or the process exits.</summary>
    public bool WaitForLine(string line)
    {
        lock (_gate)
        {
            while (!_lines.Contains(line))
            {
                if (_process.HasExited)
                {
                    return false;
                }

                Monitor.Wait(_gate, 100);
            }

            return true;
        }
    }

    /// <summary>Waits for the process to end; false when it is still running after <paramref name="timeout"/>.</summary>
    public bool WaitForExitOrTimeout(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>SIGKILL: no handler, no finally block, no flush. What a crash or an OOM kill looks like.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static ProcessStartInfo Unprivileged(string user)
    {
        // As root, drop to an unprivileged user so permission rules are real.
        var info = new ProcessStartInfo("setpriv");
        foreach (var a in new[] { "--reuid=" + user, "--regid=" + user, "--clear-groups", "--", Repo.HostExecutable })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["HOME"] = Path.GetTempPath();
        info.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        return info;
    }
}

public sealed record HostResult(int ExitCode, string Stdout, string Stderr);
