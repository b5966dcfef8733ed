using PipelineOps.Staging;
using PipelineOps.Staging.Sampling;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Staging;

public sealed class StagingSamplerTests : IDisposable
{
    private static readonly DateTime Written = new(2026, 1, 18, 14, 30, 0, DateTimeKind.Utc);
    private readonly TempDirectory _temp = new();
    private readonly DatasetLayout _layout;
    private readonly List<string> _warnings = [];

    public StagingSamplerTests() => _layout = DatasetLayout.For(_temp.Path, "sp", "gics", "1.0");

    public void Dispose() => _temp.Dispose();

    private string Bronze(string relative, string content)
    {
        var path = Path.Combine(_layout.Folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, Written);
        return path;
    }

    private void Record(params string[] bronze) =>
        Manifest.Append(_layout.ManifestFile, bronze.Select(b => new ManifestEntry("raw/" + Path.GetFileName(b), b, Written, null, null)).ToList(), fsync: false);

    private List<SampleResult> Pass(bool force = false)
    {
        var sampler = new StagingSampler(_layout, new SampleOptions { Rows = 2, Force = force }) { Warn = _warnings.Add };
        return sampler.Run().ToList();
    }

    [Fact]
    public void Samples_mirror_bronze_and_a_second_pass_reads_nothing()
    {
        Bronze("bronze/2026/01/18/143000--a.csv", "h\n1\n2\n3\n");
        Bronze("bronze/2026/01/18/143005--b.jsonl", "{}\n{}\n{}\n");
        Record("bronze/2026/01/18/143000--a.csv", "bronze/2026/01/18/143005--b.jsonl");

        var first = Pass();
        var second = Pass();

        Assert.All(first, r => Assert.Equal(SampleStatus.Sampled, r.Status));
        Assert.Equal("h\n1\n2\n", File.ReadAllText(Path.Combine(_layout.Samples, "2026/01/18/143000--a_sample.csv")));
        Assert.True(File.Exists(Path.Combine(_layout.Samples, "2026/01/18/143005--b_sample.jsonl")));
        Assert.Empty(second);
        Assert.Empty(_warnings);
    }

    [Fact]
    public void Only_appended_entries_are_read_and_unchanged_sources_are_skipped()
    {
        Bronze("bronze/x/1.jsonl", "{}\n");
        Bronze("bronze/x/2.jsonl", "{}\n");
        Record("bronze/x/1.jsonl");
        Pass();

        Record("bronze/x/2.jsonl", "bronze/x/1.jsonl"); // 1 published again, unchanged
        var next = Pass();

        Assert.Equal([SampleStatus.Sampled, SampleStatus.UpToDate], next.Select(r => r.Status).ToArray());
    }

    [Fact]
    public void Force_reads_the_whole_manifest_and_resamples()
    {
        Bronze("bronze/a.jsonl", "{}\n");
        Record("bronze/a.jsonl");
        Pass();

        var forced = Pass(force: true);

        Assert.Equal(SampleStatus.Sampled, Assert.Single(forced).Status);
    }

    [Fact]
    public void Entries_outside_the_dataset_are_refused_with_their_line()
    {
        File.WriteAllText(Path.Combine(_temp.Path, "secret.txt"), "top secret\n");
        Bronze("bronze/ok.jsonl", "{}\n");
        Record("../../../secret.txt", Path.Combine(_temp.Path, "secret.txt"), "bronze/ok.jsonl");

        var results = Pass();

        Assert.Equal([SampleStatus.Failed, SampleStatus.Failed, SampleStatus.Sampled], results.Select(r => r.Status).ToArray());
        Assert.Contains("line 1", results[0].Reason);
        Assert.Contains("outside the dataset", results[1].Reason);
        Assert.DoesNotContain(Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories), f => f.Contains("secret_sample", StringComparison.Ordinal));
    }

    [Fact]
    public void A_symbolic_link_out_of_the_dataset_is_not_followed()
    {
        var outside = Path.Combine(_temp.Path, "outside.jsonl");
        File.WriteAllText(outside, "{\"secret\":1}\n");
        Directory.CreateDirectory(Path.Combine(_layout.Folder, "bronze"));
        File.CreateSymbolicLink(Path.Combine(_layout.Folder, "bronze", "link.jsonl"), outside);
        Directory.CreateSymbolicLink(Path.Combine(_layout.Folder, "bronze", "dir"), _temp.Path);
        Record("bronze/link.jsonl", "bronze/dir/outside.jsonl");

        var results = Pass();

        Assert.All(results, r => Assert.Equal(SampleStatus.Failed, r.Status));
        Assert.All(results, r => Assert.Contains("symbolic link", r.Reason));
    }

    [Fact]
    public void A_replaced_manifest_is_read_from_the_start_with_a_warning()
    {
        Bronze("bronze/a.jsonl", "{}\n");
        Bronze("bronze/b.jsonl", "{}\n");
        Record("bronze/a.jsonl", "bronze/a.jsonl", "bronze/a.jsonl");
        Pass();

        File.Delete(_layout.ManifestFile);
        Record("bronze/b.jsonl", "bronze/b.jsonl", "bronze/b.jsonl", "bronze/b.jsonl");
        var results = Pass();

        Assert.Contains(_warnings, w => w.Contains("no longer begins", StringComparison.Ordinal));
        Assert.Equal(4, results.Count);
        Assert.Equal(SampleStatus.Sampled, results[0].Status);
    }

    [Fact]
    public void A_corrupt_state_file_is_rebuilt_with_a_warning()
    {
        Bronze("bronze/a.jsonl", "{}\n");
        Record("bronze/a.jsonl");
        Pass();
        File.WriteAllText(_layout.SamplerStateFile, "{ torn");

        var results = Pass();

        Assert.Contains(_warnings, w => w.Contains("cannot be read", StringComparison.Ordinal));
        Assert.Equal(SampleStatus.UpToDate, Assert.Single(results).Status);
        Assert.Empty(Pass());
    }

    [Fact]
    public void A_torn_last_manifest_line_waits_for_its_writer()
    {
        Bronze("bronze/a.jsonl", "{}\n");
        Record("bronze/a.jsonl");
        File.AppendAllText(_layout.ManifestFile, "{\"raw\":\"r\",\"bronze\":\"bronze/a.js");

        var first = Pass();
        File.AppendAllText(_layout.ManifestFile, "onl\",\"mtime\":1}\n");
        var second = Pass();

        Assert.Single(first);
        Assert.Equal(SampleStatus.UpToDate, Assert.Single(second).Status);
    }
}
