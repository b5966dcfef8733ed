using PipelineOps.Files;

namespace PipelineOps.Tests.Files;

public class FileNameStampTests
{
    [Theory]
    [InlineData("level2_20251114.txt", "level2", "2025-11-14T00:00:00", 0)]
    [InlineData("level2_20251114_15.txt", "level2", "2025-11-14T15:00:00", 0)]
    [InlineData("ticker_20251114_15.jsonl", "ticker", "2025-11-14T15:00:00", 0)]
    [InlineData("l2_BTCUSD_20251022_150446.jsonl", "l2_BTCUSD", "2025-10-22T15:04:46", 0)]
    [InlineData("events-2025-11-14.ndjson", "events", "2025-11-14T00:00:00", 0)]
    [InlineData("level2_20251114.2.jsonl", "level2", "2025-11-14T00:00:00", 2)]
    [InlineData("level2_20251114_15-003.jsonl.gz", "level2", "2025-11-14T15:00:00", 3)]
    [InlineData("20251114.csv", "", "2025-11-14T00:00:00", 0)]
    public void Parses_group_stamp_and_sequence(string name, string group, string start, int sequence)
    {
        var stamp = FileNameStamp.TryParse(name);

        Assert.NotNull(stamp);
        Assert.Equal(group, stamp.Group);
        Assert.Equal(DateTime.Parse(start, System.Globalization.CultureInfo.InvariantCulture), stamp.Start);
        Assert.Equal(DateTimeKind.Utc, stamp.Start.Kind);
        Assert.Equal(sequence, stamp.Sequence);
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("level2_20251314.txt")] // month 13
    [InlineData("level2_20250230.txt")] // 30 February
    [InlineData("level2_20251114_25.txt")] // hour 25
    [InlineData("build-12345678.log")] // not a plausible year
    public void Names_without_a_valid_stamp_have_none(string name)
    {
        Assert.Null(FileNameStamp.TryParse(name));
    }

    [Fact]
    public void Hourly_files_order_after_the_daily_file_and_sequences_after_their_base()
    {
        var day = FileNameStamp.TryParse("level2_20251114.txt")!;
        var hour = FileNameStamp.TryParse("level2_20251114_15.txt")!;
        var second = FileNameStamp.TryParse("level2_20251114_15.1.txt")!;

        Assert.True(hour.IsNewerThan(day));
        Assert.True(second.IsNewerThan(hour));
        Assert.False(day.IsNewerThan(hour));
        Assert.True(day.IsSamePositionAs(FileNameStamp.TryParse("level2_20251114.jsonl")!));
    }
}
