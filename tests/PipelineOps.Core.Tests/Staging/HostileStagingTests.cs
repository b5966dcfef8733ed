using PipelineOps.Conversion;
using PipelineOps.Staging;
using PipelineOps.Staging.Sampling;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Staging;

/// <summary>Issue 14's minimal inputs: escapes from the dataset, hangs, one file stopping a batch.</summary>
public sealed class HostileStagingTests : IDisposable
{
    private static readonly DateTime Old = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly TempDirectory _temp = new();
    private readonly DatasetLayout _layout;
    private readonly string _raw;
    private readonly List<string> _warnings = [];

    public HostileStagingTests()
    {
        _layout = DatasetLayout.For(Path.Combine(_temp.Path, "data"), "sp", "gics", "1.0");
        _raw = Path.Combine(_temp.Path, "raw");
        Directory.CreateDirectory(_raw);
    }

    public void Dispose() => _temp.Dispose();

    private string Secret() => _temp.File("outside/secret.csv", "user,password\nroot,hunter2\n", Old);

    private void Record(params string[] bronze) =>
        Manifest.Append(_layout.ManifestFile, bronze.Select(b => new ManifestEntry("raw/" + Path.GetFileName(b), b, Old, null, null)).ToList(), fsync: false);

    private List<SampleResult> Pass() =>
        new StagingSampler(_layout, new SampleOptions { Rows = 2 }) { Warn = _warnings.Add }.Run().ToList();

    private IEnumerable<string> Everything() => Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories);

    [Fact]
    public void A_symbolic_link_padded_to_its_targets_size_is_not_copied_to_bronze()
    {
        var secret = Path.Combine(_temp.Path, "outside", "passwd");
        var content = "root:x:0:0:root:/root:/bin/bash\n";
        content += new string('#', 1 + secret.Length - content.Length + (secret.Length - content.Length) % 2 + 64);
        content = content[..(secret.Length + 64)];
        _temp.File("outside/passwd", content, Old);
        var link = Hostile.PaddedLink(secret, Path.Combine(_raw, "users.csv"));
        File.SetLastWriteTimeUtc(link, Old);
        Assert.Equal(new FileInfo(secret).Length, new FileInfo(link).Length); // the padding the attack relies on

        var result = new BronzePublisher(_layout, _raw, new BronzeOptions { Verify = true }).Publish(new FileInfo(link));

        Assert.Equal(PublishStatus.Failed, result.Status);
        Assert.Contains("symbolic link", result.Reason);
        Assert.False(Directory.Exists(_layout.Bronze) && Directory.EnumerateFiles(_layout.Bronze, "*", SearchOption.AllDirectories).Any());
        Assert.False(File.Exists(_layout.ManifestFile));
    }

    [Fact]
    public void A_symbolic_link_inside_the_raw_root_is_copied_with_its_targets_content()
    {
        var target = _temp.File("raw/real/data.csv", "a\n1\n", Old);
        File.CreateSymbolicLink(Path.Combine(_raw, "alias.csv"), target);

        var result = new BronzePublisher(_layout, _raw, new BronzeOptions()).Publish(new FileInfo(Path.Combine(_raw, "alias.csv")));

        Assert.Equal(PublishStatus.Copied, result.Status);
        Assert.Equal("a\n1\n", File.ReadAllText(result.BronzeFullPath!));
    }

    [Fact]
    public void A_hard_link_is_neither_published_nor_sampled()
    {
        var secret = Secret();
        var raw = Hostile.HardLink(secret, Path.Combine(_raw, "users.csv"));
        Hostile.HardLink(secret, Path.Combine(_layout.Bronze, "users.csv"));
        Record("bronze/users.csv");

        var published = new BronzePublisher(_layout, _raw, new BronzeOptions()).Publish(new FileInfo(raw));
        var sampled = Assert.Single(Pass());

        Assert.Equal(PublishStatus.Failed, published.Status);
        Assert.Contains("hard links", published.Reason);
        Assert.Equal(SampleStatus.Failed, sampled.Status);
        Assert.Contains("hard links", sampled.Reason);
        Assert.DoesNotContain(Everything(), f => File.Exists(f) && f.Contains("sample", StringComparison.Ordinal) && File.ReadAllText(f).Contains("hunter2"));
    }

    [Fact]
    public void A_link_met_in_a_folder_is_followed_only_when_asked()
    {
        var secret = Secret();
        File.CreateSymbolicLink(Path.Combine(_raw, "users.csv"), secret);
        var samples = Path.Combine(_temp.Path, "samples");

        var refused = DataSampler.Sample(Path.Combine(_raw, "users.csv"), samples, new SampleOptions { FollowLinks = false });
        var followed = DataSampler.Sample(Path.Combine(_raw, "users.csv"), samples, new SampleOptions { FollowLinks = true });

        Assert.Equal(SampleStatus.Failed, refused.Status);
        Assert.Contains("symbolic link", refused.Reason);
        Assert.Equal(SampleStatus.Sampled, followed.Status);
    }

    [Fact]
    public void FIFOs_are_refused_at_once_everywhere()
    {
        var fifo = Hostile.Fifo(Path.Combine(_raw, "old.csv"));
        Hostile.Fifo(Path.Combine(_layout.Bronze, "pipe.parquet"));
        Record("bronze/pipe.parquet");

        var published = new BronzePublisher(_layout, _raw, new BronzeOptions()).Publish(new FileInfo(fifo));
        var sampled = DataSampler.Sample(fifo, Path.Combine(_temp.Path, "samples"), new SampleOptions());
        var checkedFile = ParquetFileCheck.Inspect(Path.Combine(_layout.Bronze, "pipe.parquet"), deep: true);
        var passed = Assert.Single(Pass());

        Assert.Equal(PublishStatus.Failed, published.Status);
        Assert.Contains("FIFO", published.Reason);
        Assert.Equal(SampleStatus.Failed, sampled.Status);
        Assert.Contains("FIFO", sampled.Reason);
        Assert.Equal(ParquetFileStatus.Unreadable, checkedFile.Status);
        Assert.Contains("FIFO", checkedFile.Problem);
        Assert.Equal(SampleStatus.Failed, passed.Status);
    }

    [Theory]
    [InlineData("{\"raw\":\"raw/x\",\"bronze\":\"bronze/a.csv\",\"mtime\":1e300}")]
    [InlineData("{\"raw\":\"raw/x\",\"bronze\":\"bronze/a\\u0000.csv\",\"mtime\":1}")]
    [InlineData("{\"raw\":\"raw/x\",\"bronze\":\"bronze/a.csv\",\"mtime\":1,\"size\":1e300}")]
    public void A_bad_manifest_line_is_reported_with_its_number_and_passed_over_for_good(string bad)
    {
        _temp.File("data/sp/gics/1.0/bronze/b.csv", "h\n1\n", Old);
        Directory.CreateDirectory(Path.GetDirectoryName(_layout.ManifestFile)!);
        File.WriteAllText(_layout.ManifestFile, bad + "\n");
        Record("bronze/b.csv");
        File.AppendAllText(_layout.ManifestFile, bad + "\n");

        var first = Pass();
        var warned = _warnings.ToList();
        _warnings.Clear();
        var second = Pass();
        var publisher = new BronzePublisher(_layout, _raw, new BronzeOptions(), bad => _warnings.Add($"line {bad.Line}"));

        Assert.Equal(SampleStatus.Sampled, Assert.Single(first).Status);
        Assert.Equal(2, warned.Count);
        Assert.Contains("line 1:", warned[0]);
        Assert.Contains("line 3:", warned[1]);
        Assert.Empty(second);
        Assert.Equal(["line 1", "line 3"], _warnings);
        Assert.NotNull(publisher);
    }

    [Fact]
    public void A_parquet_footer_length_of_minus_five_is_that_files_result_and_the_next_file_is_checked()
    {
        var bad = Path.Combine(_temp.Path, "bad.parquet");
        File.WriteAllBytes(bad, Hostile.ParquetWithFooterLength(-5));
        var good = Path.Combine(_temp.Path, "good.parquet");
        DuckDb.Query($"COPY (SELECT 1 AS a) TO '{good}' (FORMAT parquet)");

        var reports = new[] { bad, good }.Select(f => ParquetFileCheck.Inspect(f, deep: true)).ToList();
        var sample = DataSampler.Sample(bad, Path.Combine(_temp.Path, "samples"), new SampleOptions());

        Assert.False(reports[0].IsValid);
        Assert.Contains("footer declares -5 bytes", reports[0].Problem);
        Assert.True(reports[1].IsValid, reports[1].Problem);
        Assert.Equal(SampleStatus.Failed, sample.Status);
        Assert.Contains("footer declares -5 bytes", sample.Reason);
    }

    [Fact]
    public void An_encrypted_file_is_reported_as_encrypted()
    {
        var path = Path.Combine(_temp.Path, "secret.parquet");
        File.WriteAllBytes(path, [.. "PARE"u8, .. new byte[64], 20, 0, 0, 0, .. "PARE"u8]);

        var report = ParquetFileCheck.Inspect(path, deep: false);
        var sample = DataSampler.Sample(path, Path.Combine(_temp.Path, "samples"), new SampleOptions());

        Assert.Equal(ParquetFileStatus.Encrypted, report.Status);
        Assert.Contains("encrypted", report.Problem);
        Assert.Equal(SampleStatus.Unsupported, sample.Status);
        Assert.Contains("encrypted", sample.Reason);
    }

    [Fact]
    public void Declared_sizes_over_the_memory_budget_are_refused_before_decoding()
    {
        var path = Path.Combine(_temp.Path, "big.parquet");
        DuckDb.Query($"COPY (SELECT repeat('x', 100000) AS s FROM range(20)) TO '{path}' (FORMAT parquet, COMPRESSION zstd)");
        Assert.True(new FileInfo(path).Length < 20_000);

        var report = ParquetFileCheck.Inspect(path, true, "time", true, CancellationToken.None, maxMemoryBytes: 100_000);
        var sample = DataSampler.Sample(path, Path.Combine(_temp.Path, "samples"), new SampleOptions { Rows = 1, MaxMemoryBytes = 100_000 });

        Assert.Equal(ParquetFileStatus.Unsupported, report.Status);
        Assert.Contains("memory budget", report.Problem);
        Assert.Equal(SampleStatus.Unsupported, sample.Status);
        Assert.Contains("memory budget", sample.Reason);
    }
}
