using System.Collections.Concurrent;
using PipelineOps.Collection;

namespace PipelineOps.Commands;

/// <summary>The collectors started in this process, as Get-Job knows its jobs: every runspace sees them, so a
/// collector started in one can be stopped from another. Users see each as a <see cref="CollectorStatus"/>; the
/// engine object stays here.</summary>
internal static class CollectorRegistry
{
    private static readonly ConcurrentDictionary<int, Collector> Collectors = new();
    private static readonly ConcurrentDictionary<int, Guid> Owners = new();

    /// <param name="owner">The runspace that started it: removing the module there stops it.</param>
    public static void Add(Collector collector, Guid? owner)
    {
        Loading.ModuleCleanup.CollectorsUsed();
        Collectors[collector.Id] = collector;
        if (owner is { } runspace)
        {
            Owners[collector.Id] = runspace;
        }
    }

    public static bool Remove(int id)
    {
        Owners.TryRemove(id, out _);
        return Collectors.TryRemove(id, out _);
    }

    /// <summary>Stops the collectors started from <paramref name="runspace"/> (Remove-Module there), each writing and
    /// flushing what it holds and closing its files, so no collector keeps writing, or holds its destination's stream
    /// lock, for a module that is gone. Stopped collectors stay listed until Remove-Collector, as after Stop-Collector.</summary>
    public static void StopOwnedBy(Guid runspace)
    {
        foreach (var (id, owner) in Owners.ToList())
        {
            if (owner == runspace && Collectors.GetValueOrDefault(id) is { } collector)
            {
                Owners.TryRemove(id, out _);
                collector.StopAsync().GetAwaiter().GetResult();
            }
        }
    }

    public static IEnumerable<Collector> All => Collectors.Values.OrderBy(c => c.Id);

    public static IEnumerable<int> Ids => Collectors.Keys.Order();

    /// <summary>The collectors with these Ids, in order; each Id with none goes to <paramref name="missing"/>.</summary>
    public static IEnumerable<Collector> Find(IEnumerable<int> ids, Action<int> missing)
    {
        foreach (var id in ids)
        {
            if (Collectors.GetValueOrDefault(id) is { } collector)
            {
                yield return collector;
            }
            else
            {
                missing(id);
            }
        }
    }

    /// <summary>Warnings a collector raised since they were last shown: a background collector's surface at the next
    /// Get-, Stop- or Remove-Collector, and while Wait-Collector or Start-Collector -Wait runs, as they happen.</summary>
    public static void ShowWarnings(Collector collector, Action<string> write)
    {
        foreach (var warning in collector.TakeWarnings())
        {
            write($"Collector {collector.Id}: {warning}");
        }
    }

    public static CollectorStatus Status(Collector collector) => new(collector);

    /// <summary>One line for the end of a run: what was received, written and lost.</summary>
    public static string Summary(Collector collector)
    {
        var s = collector.Stats;
        return $"Collector {collector.Id} {collector.State.ToString().ToLowerInvariant()}: {s.Received:N0} received, " +
               $"{s.Flushed:N0} flushed ({s.Bytes:N0} bytes), {s.Dropped:N0} dropped, {s.Rejected:N0} rejected, " +
               $"{s.Reconnects:N0} reconnects, {s.Errors:N0} errors -> {collector.Directory}";
    }
}
