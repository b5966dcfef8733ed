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

    public static Collector? Find(int id) => Collectors.GetValueOrDefault(id);
}
