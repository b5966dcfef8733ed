using PipelineOps.Staging;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Staging;

public sealed class BronzePublisherTests : IDisposable
{
    private static readonly DateTime Written = new(2026, 1, 18, 14, 30, 0, DateTimeKind.Utc);
    private readonly TempDirectory _temp = new();
    private readonly DatasetLayout _layout;
    private readonly string _raw;

    public BronzePublisherTests()
    {
        _layout = DatasetLayout.For(Path.Combine(_temp.Path, "data"), "sp", "gics", "1.0");
        _raw = Path.Combine(_temp.Path, "raw");
    }

    public void Dispose() => _temp.Dispose();

    private FileInfo Raw(string relative, string content, DateTime? written = null) =>
        new(_temp.File(Path.Combine("raw", relative), content, written ?? Written));

    private BronzePublisher Publisher(BronzeOptions? options = null) => new(_layout, _raw, options ?? new BronzeOptions());

    [Fact]
    public void Copies_with_content_and_mtime_then_records_the_manifest_entry()
    {
        var raw = Raw("env0/data.csv", "a,b\n1,2\n");

        var result = Publisher(new BronzeOptions { Verify = true }).Publish(raw);

        Assert.Equal(PublishStatus.Copied, result.Status);
        Assert.Equal("bronze/2026/01/18/143000--data.csv", result.Bronze);
        var copy = new FileInfo(Path.Combine(_layout.Folder, result.Bronze!));
        Assert.Equal("a,b\n1,2\n", File.ReadAllText(copy.FullName));
        Assert.Equal(Written, copy.LastWriteTimeUtc);
        Assert.Equal(64, result.Sha256!.Length);
        var entry = Assert.Single(Manifest.Read(_layout.ManifestFile, null));
        Assert.Equal(("raw/env0/data.csv", result.Bronze, 8L), (entry.Raw, entry.Bronze, entry.Size!.Value));
        Assert.Equal(Written, entry.Mtime);
        Assert.DoesNotContain(Directory.EnumerateFiles(_layout.Bronze, "*", SearchOption.AllDirectories), f => Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public void A_rerun_finds_the_entry_and_copies_nothing()
    {
        var raw = Raw("env0/data.csv", "x\n");
        Publisher().Publish(raw);

        var again = Publisher().Publish(raw);

        Assert.Equal(PublishStatus.UpToDate, again.Status);
        Assert.Single(Manifest.Read(_layout.ManifestFile, null));
        Assert.Single(Directory.EnumerateFiles(_layout.Bronze, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Same_name_from_two_environments_never_overwrites()
    {
        var first = Publisher().Publish(Raw("env0/data.csv", "from env0\n"));
        var second = Publisher().Publish(Raw("env1/data.csv", "from env1, same second\n"));

        Assert.Equal("bronze/2026/01/18/143000--data.csv", first.Bronze);
        Assert.Equal("bronze/2026/01/18/143000-1--data.csv", second.Bronze);
        Assert.Equal("from env0\n", File.ReadAllText(first.BronzeFullPath!));
        Assert.Equal("from env1, same second\n", File.ReadAllText(second.BronzeFullPath!));
    }

    [Fact]
    public void Equal_size_and_mtime_from_another_environment_is_still_a_different_file()
    {
        var first = Publisher().Publish(Raw("env0/data.csv", "AAAA\n"));
        var second = Publisher().Publish(Raw("env1/data.csv", "BBBB\n"));

        Assert.Equal(PublishStatus.Copied, second.Status);
        Assert.NotEqual(first.Bronze, second.Bronze);
        Assert.Equal("BBBB\n", File.ReadAllText(second.BronzeFullPath!));
    }

    [Fact]
    public void A_copy_left_unrecorded_by_a_crash_is_recorded_not_copied_again()
    {
        var raw = Raw("env0/data.csv", "payload\n");
        var target = Path.Combine(_layout.Folder, "bronze/2026/01/18/143000--data.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllText(target, "payload\n");
        File.SetLastWriteTimeUtc(target, Written);

        var result = Publisher(new BronzeOptions { Verify = true }).Publish(raw);

        Assert.Equal(PublishStatus.Recovered, result.Status);
        Assert.Single(Directory.EnumerateFiles(_layout.Bronze, "*", SearchOption.AllDirectories));
        Assert.Equal(result.Bronze, Assert.Single(Manifest.Read(_layout.ManifestFile, null)).Bronze);
    }

    [Fact]
    public void A_changed_raw_file_is_published_again_beside_the_old_copy()
    {
        var raw = Raw("env0/data.csv", "v1\n");
        var first = Publisher().Publish(raw);
        File.WriteAllText(raw.FullName, "version 2\n");
        File.SetLastWriteTimeUtc(raw.FullName, Written.AddHours(1));

        var second = Publisher().Publish(new FileInfo(raw.FullName));

        Assert.Equal(PublishStatus.Copied, second.Status);
        Assert.Equal("bronze/2026/01/18/153000--data.csv", second.Bronze);
        Assert.Equal("v1\n", File.ReadAllText(first.BronzeFullPath!));
        Assert.Equal(2, Manifest.Read(_layout.ManifestFile, null).Count());
    }

    [Fact]
    public void Plan_writes_nothing()
    {
        var target = Publisher(new BronzeOptions { Time = new DateTime(2025, 12, 31, 23, 59, 59, DateTimeKind.Utc) })
            .Plan(Raw("env3/sub/data.csv", "x"));

        Assert.Equal("bronze/2025/12/31/sub/235959--data.csv", target.Bronze);
        Assert.False(target.Existing);
        Assert.False(Directory.Exists(_layout.Folder));
    }

    [Fact]
    public void A_file_outside_the_raw_root_is_refused()
    {
        var elsewhere = new FileInfo(_temp.File("elsewhere/data.csv", "x"));

        Assert.Throws<ArgumentException>(() => Publisher().Publish(elsewhere));
    }
}
