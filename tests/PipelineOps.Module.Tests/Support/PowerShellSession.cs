using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PipelineOps.Module.Tests.Support;

/// <summary>A runspace of the real engine with the staged module imported by its manifest, as a user would.</summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellSession()
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(Repo.ModuleManifest);
        state.ThrowOnRunspaceOpenError = true;
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
    }

    public void Dispose() => _runspace.Dispose();

    /// <summary>Runs script text; variables are set in the session first. Terminating errors throw.</summary>
    public PowerShellResult Run(string script, params (string Name, object? Value)[] variables)
    {
        foreach (var (name, value) in variables)
        {
            _runspace.SessionStateProxy.SetVariable(name, value);
        }

        using var shell = PowerShell.Create(_runspace);
        shell.AddScript(script);
        var output = shell.Invoke();
        return new PowerShellResult(output, [.. shell.Streams.Error], [.. shell.Streams.Warning], [.. shell.Streams.Verbose]);
    }

    /// <summary>Runs script text and keeps each progress record as it was when written (cmdlets reuse one record, so
    /// the stream alone would show only its last state).</summary>
    public (PowerShellResult Result, List<ProgressSnapshot> Progress) RunWithProgress(string script, params (string Name, object? Value)[] variables)
    {
        foreach (var (name, value) in variables)
        {
            _runspace.SessionStateProxy.SetVariable(name, value);
        }

        var progress = new List<ProgressSnapshot>();
        using var shell = PowerShell.Create(_runspace);
        shell.Streams.Progress.DataAdded += (_, e) =>
        {
            var r = shell.Streams.Progress[e.Index];
            progress.Add(new ProgressSnapshot(r.Activity, r.StatusDescription, r.CurrentOperation, r.PercentComplete, r.SecondsRemaining, r.RecordType));
        };
        shell.AddScript(script);
        var output = shell.Invoke();
        return (new PowerShellResult(output, [.. shell.Streams.Error], [.. shell.Streams.Warning], [.. shell.Streams.Verbose]), progress);
    }

    /// <summary>Starts script text without waiting, for tests that stop a running pipeline.</summary>
    public PowerShell Start(string script, params (string Name, object? Value)[] variables)
    {
        foreach (var (name, value) in variables)
        {
            _runspace.SessionStateProxy.SetVariable(name, value);
        }

        var shell = PowerShell.Create(_runspace);
        shell.AddScript(script);
        return shell;
    }
}

public sealed record PowerShellResult(
    Collection<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<WarningRecord> Warnings,
    IReadOnlyList<VerboseRecord> Verbose)
{
    public IEnumerable<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>();

    /// <summary>The output as strings; nulls (a pipeline that emitted $null) are left out.</summary>
    public IEnumerable<string> Strings => Output.Where(o => o?.BaseObject is not null).Select(o => o.BaseObject.ToString() ?? "");
}

public sealed record ProgressSnapshot(string Activity, string Status, string? Operation, int PercentComplete, int SecondsRemaining,
    ProgressRecordType Type);
