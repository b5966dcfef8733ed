using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PipelineOps.Scheduling;

/// <summary>
/// Runs a job in a fresh runspace with PipelineOps imported: Convert-JsonlToParquet or Invoke-StagingSampler with
/// the registered parameters, or the registered script. Output, errors and warnings go to the run's record.
/// Cancelling stops the pipeline, which is the cmdlets' own StopProcessing: converters leave no partial output.
/// The run's record as it starts is the read-only variable $PipelineJobRun (its ScheduledStart names the firing).
/// </summary>
internal sealed class RunspaceJobRunner(string moduleManifest) : IJobRunner
{
    internal const string ConvertCommand = "Convert-JsonlToParquet";
    internal const string SampleCommand = "Invoke-StagingSampler";
    private const int OutputLines = 40;

    internal const string RunVariable = "PipelineJobRun";

    public Task<JobRunOutcome> RunAsync(PipelineJobDefinition job, JobRun run, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(job, run, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private JobRunOutcome Run(PipelineJobDefinition job, JobRun run, CancellationToken cancellationToken)
    {
        var payload = JobPayload.FromJson(job.Payload);
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule([moduleManifest]);
        state.Variables.Add(new SessionStateVariableEntry(RunVariable, run, "This run of a PipelineOps job: Job, Id, ScheduledStart, Start, Node, Trigger.", ScopedItemOptions.ReadOnly));
        using var runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        using var shell = PowerShell.Create();
        shell.Runspace = runspace;
        switch (job.Action)
        {
            case JobActionKind.Convert:
                shell.AddCommand(ConvertCommand).AddParameters(Bindable(payload.Parameters));
                break;
            case JobActionKind.Sample:
                shell.AddCommand(SampleCommand).AddParameters(Bindable(payload.Parameters));
                break;
            default:
                if (payload.FilePath is { } file)
                {
                    shell.AddCommand(file);
                }
                else
                {
                    shell.AddScript(payload.Script ?? "");
                }

                if (payload.Parameters.Count > 0)
                {
                    shell.AddParameters(Bindable(payload.Parameters));
                }

                foreach (var argument in payload.Arguments)
                {
                    shell.AddArgument(argument);
                }

                break;
        }

        Collection<PSObject> results;
        using (cancellationToken.Register(() => shell.BeginStop(null, null)))
        {
            try
            {
                results = shell.Invoke();
            }
            catch (PipelineStoppedException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RuntimeException e)
            {
                return new JobRunOutcome(false) { Errors = [.. Errors(shell), Describe(e.ErrorRecord)], Warnings = Warnings(shell) };
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var errors = Errors(shell);
        return new JobRunOutcome(errors.Count == 0 && !shell.HadErrors)
        {
            Output = Summary(runspace, results),
            Errors = errors,
            Warnings = Warnings(shell),
            Items = job.Action == JobActionKind.Script ? null : results.Count(IsDone),
        };
    }

    /// <summary>Converted files and written samples: what a conversion or sampler pass got done.</summary>
    private static bool IsDone(PSObject result) =>
        result.Properties["Status"]?.Value?.ToString() is "Converted" or "Sampled";

    private static Hashtable Bindable(Dictionary<string, object?> parameters)
    {
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in parameters)
        {
            table[name] = value;
        }

        return table;
    }

    private static List<string> Errors(PowerShell shell) => shell.Streams.Error.Select(Describe).ToList();

    private static List<string> Warnings(PowerShell shell) => shell.Streams.Warning.Select(w => w.Message).ToList();

    private static string Describe(ErrorRecord error) =>
        error.InvocationInfo?.PositionMessage is { Length: > 0 } position && error.InvocationInfo.ScriptName is { Length: > 0 }
            ? $"{error} ({error.FullyQualifiedErrorId}) {position}"
            : $"{error} ({error.FullyQualifiedErrorId})";

    /// <summary>The first lines of the output as PowerShell formats it.</summary>
    private static string? Summary(Runspace runspace, Collection<PSObject> results)
    {
        if (results.Count == 0)
        {
            return null;
        }

        string text;
        using (var format = PowerShell.Create())
        {
            format.Runspace = runspace;
            format.AddScript("param($o) if (Get-Command Out-String -ErrorAction Ignore) { $o | Out-String -Width 160 }").AddArgument(results);
            text = string.Concat(format.Invoke().Select(o => o.ToString())).Trim();
        }

        if (text.Length == 0)
        {
            // An engine without the Utility module (no Out-String): each object as its text.
            text = string.Join('\n', results.Select(r => r?.ToString()));
        }

        var lines = text.Split('\n');
        return lines.Length <= OutputLines ? text : string.Join('\n', lines.Take(OutputLines)) + $"\n... ({results.Count} objects)";
    }
}
