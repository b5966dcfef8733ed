using PipelineOps.Segments;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Segments;

public sealed class SegmentSyncTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Source => Path.Combine(_temp.Path, "ready");

    private string Target => Path.Combine(_temp.Path, "nas");

    private string Put(string relative, string content)
    {
        var path = Path.Combine(Source, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private List<SyncResult> Run(bool removeSource = false)
    {
        var sync = new SegmentSync(Source, Target, removeSource);
        var (files, leftOut) = sync.Plan();
        return leftOut.Concat(files.Select(f => sync.Copy(f))).ToList();
    }

    [Fact]
    public void Partitioned_files_are_copied_with_their_relative_paths_and_a_second_run_skips_them()
    {
        Put(Path.Combine("tick", "exchange=cb", "product_id=BTC-USD", "tick_20261128_0001.parquet"), "one");
        Put(Path.Combine("tick", "exchange=kr", "tick_20261128_0002.parquet"), "two");
        Put(Path.Combine("tick", ".tick_20261128_0003.parquet.tmp-abc"), "a temporary file");

        var first = Run();
        var second = Run();

        Assert.Equal([SyncAction.Copied, SyncAction.Copied], first.Select(r => r.Action));
        Assert.Equal("one", File.ReadAllText(Path.Combine(Target, "tick", "exchange=cb", "product_id=BTC-USD", "tick_20261128_0001.parquet")));
        Assert.Equal("two", File.ReadAllText(Path.Combine(Target, "tick", "exchange=kr", "tick_20261128_0002.parquet")));
        Assert.Equal([SyncAction.Skipped, SyncAction.Skipped], second.Select(r => r.Action));
        Assert.Equal(2, Directory.GetFiles(Target, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public void A_different_file_of_the_same_name_is_a_conflict_never_overwritten_and_its_source_is_kept()
    {
        var source = Put("a.parquet", "new content");
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "a.parquet"), "old content");

        var result = Run(removeSource: true).Single();

        Assert.Equal(SyncAction.Conflict, result.Action);
        Assert.False(result.SourceRemoved);
        Assert.True(File.Exists(source));
        Assert.Equal("old content", File.ReadAllText(Path.Combine(Target, "a.parquet")));
    }

    [Fact]
    public void RemoveSource_deletes_a_source_only_once_an_identical_copy_is_in_place()
    {
        var copied = Put("x/b.parquet", "bbb");
        var already = Put("x/c.parquet", "ccc");
        Directory.CreateDirectory(Path.Combine(Target, "x"));
        File.WriteAllText(Path.Combine(Target, "x", "c.parquet"), "ccc");
        // A folder the copy cannot be renamed into: its copy fails, so its source stays.
        var blocked = Put("y/d.parquet", "ddd");
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "y"), "a file where the folder would go");

        var results = Run(removeSource: true).ToDictionary(r => r.Source);

        Assert.Equal(SyncAction.Copied, results[copied].Action);
        Assert.True(results[copied].SourceRemoved);
        Assert.False(File.Exists(copied));
        Assert.Equal("bbb", File.ReadAllText(Path.Combine(Target, "x", "b.parquet")));
        Assert.Equal(SyncAction.Skipped, results[already].Action);
        Assert.False(File.Exists(already));
        Assert.NotEqual(SyncAction.Copied, results[blocked].Action);
        Assert.False(results[blocked].SourceRemoved);
        Assert.True(File.Exists(blocked));
    }

    [Fact]
    public void Links_that_lead_outside_the_tree_are_not_followed()
    {
        Put("inside.parquet", "in");
        var outside = Path.Combine(_temp.Path, "secret");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "passwd"), "secret");
        File.CreateSymbolicLink(Path.Combine(Source, "file-link.parquet"), Path.Combine(outside, "passwd"));
        Directory.CreateSymbolicLink(Path.Combine(Source, "dir-link"), outside);

        var results = Run();

        Assert.Equal(SyncAction.Copied, results.Single(r => r.Source.EndsWith("inside.parquet", StringComparison.Ordinal)).Action);
        Assert.Equal(2, results.Count(r => r.Action == SyncAction.Failed && r.Reason!.Contains("outside the source tree", StringComparison.Ordinal)));
        Assert.Equal(["inside.parquet"], Directory.GetFiles(Target, "*", SearchOption.AllDirectories).Select(Path.GetFileName));
    }

    [Fact]
    public void A_temporary_copy_left_by_a_killed_run_is_replaced_and_never_becomes_the_file()
    {
        Put("e.parquet", "eeee");
        Directory.CreateDirectory(Target);
        var stale = Path.Combine(Target, ".e.parquet.tmp-0123456789abcdef0123456789abcdef");
        File.WriteAllText(stale, "ee"); // what a kill mid-copy leaves

        var result = Run().Single();

        Assert.Equal(SyncAction.Copied, result.Action);
        Assert.False(File.Exists(stale));
        Assert.Equal(["e.parquet"], Directory.GetFiles(Target).Select(Path.GetFileName));
        Assert.Equal("eeee", File.ReadAllText(Path.Combine(Target, "e.parquet")));
    }
}
