using System.Collections.Concurrent;
using PipelineOps.Collection;

namespace PipelineOps.Commands;

/// <summary>The collectors started in this process, as Get-Job knows its jobs: every runspace sees them, so a
/// collector started in one can be stopped from another.</summary>
internal static class CollectorRegistry
{
    private static readonly ConcurrentDictionary<int, Collector> Collectors = new();

    public static void Add(Collector collector) => Collectors[collector.Id] = collector;

    public static IEnumerable<Collector> All => Collectors.Values.OrderBy(c => c.Id);

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
}
