using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>The store parameters every scheduler cmdlet shares: -Store Sqlite (the default, one file under the state
/// folder or -StorePath), Memory (this process only) or PostgreSql (-ConnectionString, clustered).</summary>
public abstract class SchedulerStoreCommand : PSCmdlet
{
    private readonly CancellationTokenSource _cancellation = new();

    [Parameter]
    [ValidateSet("Sqlite", "Memory", "PostgreSql")]
    public string Store { get; set; } = "Sqlite";

    /// <summary>The SQLite file (default: scheduler.db under $env:PIPELINEOPS_HOME or the per-user data folder).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StorePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    protected CancellationToken Cancellation => _cancellation.Token;

    protected override void StopProcessing() => _cancellation.Cancel();

    /// <summary>The store named by the parameters.</summary>
    internal SchedulerStoreOptions StoreOptions()
    {
        if (ConnectionString is not null && Store != "PostgreSql")
        {
            Store = "PostgreSql";
        }

        return Store switch
        {
            "Memory" => SchedulerStoreOptions.Memory(),
            "PostgreSql" => SchedulerStoreOptions.PostgreSql(ConnectionString ?? Environment.GetEnvironmentVariable("PIPELINEOPS_POSTGRES")
                ?? throw new PSArgumentException("A PostgreSql store needs -ConnectionString (or $env:PIPELINEOPS_POSTGRES).")),
            _ => StorePath is null
                ? SchedulerStoreOptions.Default()
                : SchedulerStoreOptions.Sqlite(SessionState.Path.GetUnresolvedProviderPathFromPSPath(StorePath)),
        };
    }

    /// <summary>The scheduler over this store. Only Register-PipelineJob and Start-PipelineScheduler create a SQLite
    /// store; the others report a missing one.</summary>
    internal PipelineScheduler OpenScheduler(bool create)
    {
        SchedulerStoreOptions store;
        try
        {
            store = StoreOptions();
        }
        catch (PSArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "StoreNotGiven", ErrorCategory.InvalidArgument, Store));
            throw;
        }

        if (!create && store.Kind == SchedulerStoreKind.Sqlite && !File.Exists(store.Path) && SchedulerRegistry.Find(store) is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new FileNotFoundException($"There is no scheduler store at '{store.Path}'. Register a job first (Register-PipelineJob), or give the store's -StorePath.", store.Path),
                "StoreNotFound", ErrorCategory.ObjectNotFound, store.Path));
        }

        try
        {
            return SchedulerRegistry.OpenAsync(store, ModuleManifest(), Cancellation).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not PipelineStoppedException and not OperationCanceledException)
        {
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Cannot open the scheduler store {store.Key}: {e.Message}", e),
                "StoreUnavailable", ErrorCategory.OpenError, store.Key));
            throw;
        }
    }

    /// <summary>The registered jobs whose names match <paramref name="names"/> (wildcards, any case); a plain name that
    /// matches none is a JobNotFound error, a wildcard may match nothing.</summary>
    internal IEnumerable<PipelineJobStatus> JobsNamed(PipelineScheduler scheduler, IEnumerable<string> names)
    {
        var jobs = Await(scheduler.GetJobsAsync(Cancellation));
        foreach (var name in names)
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            var matched = jobs.Where(j => pattern.IsMatch(j.Name)).ToList();
            if (matched.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"No job named '{name}' is registered in {scheduler.Store.Key}."),
                    "JobNotFound", ErrorCategory.ObjectNotFound, name));
            }

            foreach (var job in matched)
            {
                yield return job;
            }
        }
    }

    /// <summary>Waits for Core on the pipeline thread; Ctrl+C cancels.</summary>
    internal static T Await<T>(Task<T> task) => task.GetAwaiter().GetResult();

    internal static void Await(Task task) => task.GetAwaiter().GetResult();

    private string ModuleManifest()
    {
        var root = MyInvocation.MyCommand.Module?.ModuleBase ?? Path.GetDirectoryName(typeof(SchedulerStoreCommand).Assembly.Location)!;
        return Path.Combine(root, "PipelineOps.psd1");
    }
}

/// <summary>Cmdlets that act on registered jobs by -Name (wildcards) or piped PipelineJobStatus objects.</summary>
public abstract class PipelineJobNameCommand : SchedulerStoreCommand
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>The registered jobs matching -Name; a plain name that matches none is an error (wildcards may match
    /// nothing).</summary>
    internal IEnumerable<PipelineJobStatus> MatchingJobs(PipelineScheduler scheduler) => JobsNamed(scheduler, Name);
}
