using PipelineOps.Files;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Files;

public sealed class FileActivityInspectorTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 11, 14, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTime LongAgo = Now.UtcDateTime.AddHours(-3);

    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new(Now);

    public void Dispose() => _dir.Dispose();

    private FileActivityInspector Inspector(FileActivityOptions? options = null) =>
        new(options ?? new FileActivityOptions(), _clock, UnavailableWriterProbe.Instance);

    private FileActivity Inspect(string path, FileActivityOptions? options = null) =>
        Inspector(options).Inspect(new FileInfo(path));

    [Fact]
    public void Only_the_newest_file_of_a_series_is_Latest()
    {
        var older = _dir.File("level2_20251113.txt", "{}\n", LongAgo);
        var newer = _dir.File("level2_20251114.txt", "{}\n", LongAgo);
        var otherSeries = _dir.File("ticker_20251101.txt", "{}\n", LongAgo);
        var inspector = Inspector();

        var olderResult = inspector.Inspect(new FileInfo(older));
        var newerResult = inspector.Inspect(new FileInfo(newer));

        Assert.False(olderResult.IsActive);
        Assert.Empty(olderResult.Reasons);
        Assert.Equal("level2", olderResult.Group);
        Assert.Equal([ActivityReason.Latest], newerResult.Reasons);
        Assert.Equal([ActivityReason.Latest], inspector.Inspect(new FileInfo(otherSeries)).Reasons);
    }

    [Fact]
    public void Hourly_and_daily_files_share_a_group_and_the_later_hour_wins()
    {
        var day = _dir.File("level2_20251114.txt", "{}\n", LongAgo);
        var hour = _dir.File("level2_20251114_15.txt", "{}\n", LongAgo);

        Assert.DoesNotContain(ActivityReason.Latest, Inspect(day).Reasons);
        Assert.Contains(ActivityReason.Latest, Inspect(hour).Reasons);
        Assert.Equal("level2", Inspect(day).Group);
    }

    [Fact]
    public void Series_are_compared_within_their_directory_only()
    {
        var a = _dir.File("a/level2_20251113.txt", "{}\n", LongAgo);
        _dir.File("b/level2_20251114.txt", "{}\n", LongAgo);

        Assert.Contains(ActivityReason.Latest, Inspect(a).Reasons);
    }

    [Fact]
    public void A_file_without_a_stamp_is_never_Latest()
    {
        var plain = _dir.File("notes.txt", "hello\n", LongAgo);

        var result = Inspect(plain);

        Assert.False(result.IsActive);
        Assert.Equal("notes", result.Group);
    }

    [Fact]
    public void IncludeLatest_turns_the_Latest_rule_off()
    {
        var newest = _dir.File("level2_20251114.txt", "{}\n", LongAgo);

        Assert.False(Inspect(newest, new FileActivityOptions { IncludeLatest = true }).IsActive);
    }

    [Fact]
    public void Writes_within_the_quiet_period_are_RecentlyModified()
    {
        var recent = _dir.File("recent.txt", "x\n", Now.UtcDateTime.AddMinutes(-4));
        var quiet = _dir.File("quiet.txt", "x\n", Now.UtcDateTime.AddMinutes(-6));
        var future = _dir.File("future.txt", "x\n", Now.UtcDateTime.AddHours(1));

        Assert.Equal([ActivityReason.RecentlyModified], Inspect(recent).Reasons);
        Assert.Empty(Inspect(quiet).Reasons);
        Assert.Equal([ActivityReason.RecentlyModified], Inspect(future).Reasons);
        Assert.Empty(Inspect(recent, new FileActivityOptions { QuietPeriod = TimeSpan.Zero }).Reasons);
        Assert.Equal([ActivityReason.RecentlyModified],
            Inspect(quiet, new FileActivityOptions { QuietPeriod = TimeSpan.FromMinutes(10) }).Reasons);
    }

    [Theory]
    [InlineData("temp_data.csv", true)]
    [InlineData("TEMP_data.csv", true)]
    [InlineData("data.csv.tmp", true)]
    [InlineData("data.parquet.partial", true)]
    [InlineData("upload.inprogress", true)]
    [InlineData("contemporary.csv", false)]
    [InlineData("data_temp.csv", false)]
    public void Temporary_names_are_TempName(string name, bool expected)
    {
        var path = _dir.File(name, "a\n", LongAgo);

        Assert.Equal(expected, Inspect(path).Reasons.Contains(ActivityReason.TempName));
    }

    [Theory]
    [InlineData("a.jsonl", "{\"a\":1}\n{\"a\"", true)]
    [InlineData("a.jsonl", "{\"a\":1}\n", false)]
    [InlineData("a.ndjson", "{\"a\":1}\r\n", false)]
    [InlineData("a.txt", "line", true)]
    [InlineData("a.csv", "x,y\n1,", true)]
    [InlineData("a.jsonl", "", false)]
    [InlineData("a.json", "{\"a\":1}", false)] // not line-oriented: the rule does not apply
    public void Line_oriented_files_ending_mid_record_have_a_TornTail(string name, string content, bool torn)
    {
        var path = _dir.File(name, content, LongAgo);

        Assert.Equal(torn, Inspect(path).Reasons.Contains(ActivityReason.TornTail));
    }

    [Fact]
    public void A_parquet_file_without_its_closing_magic_has_a_TornTail()
    {
        var complete = _dir.File("done.parquet", "", LongAgo);
        File.WriteAllBytes(complete, [.. "PAR1"u8, 0, 0, 0, 0, 4, 0, 0, 0, .. "PAR1"u8]);
        File.SetLastWriteTimeUtc(complete, LongAgo);
        var cut = _dir.File("cut.parquet", "", LongAgo);
        File.WriteAllBytes(cut, [.. "PAR1"u8, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        File.SetLastWriteTimeUtc(cut, LongAgo);

        Assert.Empty(Inspect(complete).Reasons);
        Assert.Equal([ActivityReason.TornTail], Inspect(cut).Reasons);
    }

    [Fact]
    public void Every_rule_that_fires_is_reported_in_a_stable_order()
    {
        _dir.File("temp_level2_20251113.txt", "{}\n", LongAgo);
        var path = _dir.File("temp_level2_20251114.txt", "{\"a\"", Now.UtcDateTime);

        var result = Inspect(path);

        Assert.True(result.IsActive);
        Assert.Equal([ActivityReason.Latest, ActivityReason.RecentlyModified, ActivityReason.TempName, ActivityReason.TornTail],
            result.Reasons);
        Assert.Equal(4, result.Length);
        Assert.Equal(Now.UtcDateTime, result.LastWriteTimeUtc);
    }

    [Fact]
    public void A_missing_file_is_an_error_not_an_answer()
    {
        Assert.Throws<FileNotFoundException>(() => Inspect(Path.Combine(_dir.Path, "gone.txt")));
    }

    [Fact]
    public void Writer_coverage_is_reported_with_every_answer()
    {
        var path = _dir.File("a.txt", "x\n", LongAgo);

        Assert.Equal(WriterCheck.Unavailable, Inspect(path).WriterCheck);
        Assert.Equal(WriterCheck.Unavailable,
            new FileActivityInspector(new FileActivityOptions { CheckWriters = false }, _clock).Inspect(new FileInfo(path)).WriterCheck);
    }
}
