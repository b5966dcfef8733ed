using PipelineOps.Segments;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Segments;

/// <summary>
/// A kill during a compaction skips the removal of its scratch folder (.pipelineops/compact/{id}); a kill loop at
/// start-up left one per kill. The next recovery removes those no live compaction holds, and only those.
/// </summary>
public sealed class CompactScratchTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Scratch(string name, bool withLock = true)
    {
        var folder = Path.Combine(_temp.Path, ".pipelineops", "compact", name);
        Directory.CreateDirectory(Path.Combine(folder, "_pipelineops"));
        File.WriteAllText(Path.Combine(folder, "part-feed.parquet"), "half a file");
        if (withLock)
        {
            File.WriteAllText(Path.Combine(folder, "_pipelineops", "lock"), "");
        }

        return folder;
    }

    [Fact]
    public void Recovery_removes_scratch_left_by_killed_compactions_and_keeps_a_live_ones()
    {
        var killed = Scratch("killed");
        var live = Scratch("live");
        var justMade = Scratch("just-made", withLock: false);
        var oldUnlocked = Scratch("old-unlocked", withLock: false);
        Directory.SetLastWriteTimeUtc(oldUnlocked, DateTime.UtcNow.AddHours(-1));
        using (new FileStream(Path.Combine(live, "_pipelineops", "lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var results = new OrphanSegments(_temp.Path).Run().ToList();

            Assert.Empty(results);
            Assert.False(Directory.Exists(killed));
            Assert.False(Directory.Exists(oldUnlocked));
            Assert.True(File.Exists(Path.Combine(live, "part-feed.parquet")));
            Assert.True(Directory.Exists(justMade));
        }
    }

    [Fact]
    public void WhatIf_leaves_the_scratch_where_it_is()
    {
        var killed = Scratch("killed");

        var results = new OrphanSegments(_temp.Path).Run(shouldProcess: (_, _) => false).ToList();

        Assert.Empty(results);
        Assert.True(Directory.Exists(killed));
    }
}
