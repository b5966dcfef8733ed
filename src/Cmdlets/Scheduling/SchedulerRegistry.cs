using System.Collections.Concurrent;

namespace PipelineOps.Scheduling;

/// <summary>The schedulers this process has open, one per store, so every runspace sees the same one: jobs
/// registered in the Memory store are the ones Start-PipelineScheduler -Store Memory fires, and
/// Stop-PipelineScheduler stops what Start-PipelineScheduler started.</summary>
internal static class SchedulerRegistry
{
    private static readonly ConcurrentDictionary<string, PipelineScheduler> Schedulers = new();
    private static readonly ConcurrentDictionary<PipelineScheduler, Guid> Owners = new();
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<PipelineScheduler> OpenAsync(SchedulerStoreOptions store, string moduleManifest, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Schedulers.TryGetValue(store.Key, out var open))
            {
                return open;
            }

            Loading.ModuleCleanup.SchedulersUsed();
            var scheduler = await PipelineScheduler.OpenAsync(store, new RunspaceJobRunner(moduleManifest), null, cancellationToken).ConfigureAwait(false);
            Schedulers[store.Key] = scheduler;
            return scheduler;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static IEnumerable<PipelineScheduler> All => Schedulers.Values.OrderBy(s => s.Store.Key, StringComparer.Ordinal);

    public static PipelineScheduler? Find(SchedulerStoreOptions store) => Schedulers.GetValueOrDefault(store.Key);

    /// <summary>Stops a scheduler and forgets it; the next use of its store opens it afresh.</summary>
    public static async Task StopAsync(PipelineScheduler scheduler, CancellationToken cancellationToken)
    {
        Schedulers.TryRemove(new KeyValuePair<string, PipelineScheduler>(scheduler.Store.Key, scheduler));
        Owners.TryRemove(scheduler, out _);
        await scheduler.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Notes the runspace that started a scheduler: removing the module there stops it.</summary>
    public static void Own(PipelineScheduler scheduler, Guid? runspace)
    {
        if (runspace is { } id)
        {
            Owners.TryAdd(scheduler, id);
        }
    }

    /// <summary>Stops the schedulers started from <paramref name="runspace"/> (Remove-Module there). Others go on: a
    /// job's own runspace imports the module too, and its Remove-Module must not stop the scheduler running it.</summary>
    public static void StopOwnedBy(Guid runspace)
    {
        foreach (var (scheduler, owner) in Owners.ToList())
        {
            if (owner == runspace)
            {
                StopAsync(scheduler, CancellationToken.None).GetAwaiter().GetResult();
            }
        }
    }
}
