using PipelineOps.Conversion;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Conversion;

/// <summary>
/// Larger files are written in one pass with columns guessed from their head. Whatever comes later, the dataset must
/// be exactly what reading the whole file first gives: same columns, same types, same values.
/// </summary>
public sealed class SchemaGuessTests : IDisposable
{
    private static readonly DateTime Day = new(2025, 11, 14, 12, 0, 0, DateTimeKind.Utc);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> LateChanges => new()
    {
        { "nothing changes", MarketData.Ticker(Day.AddHours(1), sequence: 99) },
        { "a new field", """{"type":"ticker","time":"2025-11-14T13:40:00Z","late_field":"here at last"}""" },
        { "an integer column gets a fraction", """{"type":"ticker","time":"2025-11-14T13:40:00Z","sequence":2.5}""" },
        { "an integer column gets a string", """{"type":"ticker","time":"2025-11-14T13:40:00Z","sequence":"seven"}""" },
        { "the time field gets a non-time", """{"type":"ticker","time":"soon"}""" },
        { "an all-null column gets an integer", """{"type":"ticker","time":"2025-11-14T13:40:00Z","spare":42}""" },
        { "a struct gets a new key", """{"type":"ticker","time":"2025-11-14T13:40:00Z","meta":{"venue":"cb","extra":true}}""" },
        { "a list gets deeper", """{"type":"ticker","time":"2025-11-14T13:40:00Z","tags":[["a"]]}""" },
        { "only a new field, nothing else", """{"late_only":1}""" },
    };

    [Theory]
    [MemberData(nameof(LateChanges))]
    public void A_guess_from_the_head_gives_the_same_dataset_as_reading_the_whole_file_first(string change, string lastLine)
    {
        var lines = Enumerable.Range(0, 400)
            .Select(i => MarketData.Ticker(Day.AddSeconds(i), sequence: i)[..^1] + ""","spare":null,"meta":{"venue":"cb"},"tags":["x"]}""")
            .Append(lastLine)
            .Append(MarketData.Ticker(Day.AddHours(2), sequence: 1000))
            .ToArray();
        var source = _dir.File(Path.Combine("raw", "ticker_20251114.jsonl"), string.Join("\n", lines) + "\n");

        var guessed = Convert(source, "guessed", headBytes: 1024);
        var whole = Convert(source, "whole", headBytes: long.MaxValue);

        Assert.Equal(ConversionStatus.Converted, guessed.Status);
        Assert.Equal(whole.Rows, guessed.Rows);
        Assert.Equal(whole.BadLines, guessed.BadLines);
        Assert.Equal(Describe("whole"), Describe("guessed"));
        Assert.Equal(Rows("whole"), Rows("guessed"));
        Assert.True(Rows("guessed").Count == 402, change);
    }

    [Fact]
    public void A_gzip_source_with_a_late_field_converts_alike_whether_its_head_covers_it_or_not()
    {
        var path = Path.Combine(_dir.Path, "raw", "ticker_20251114.jsonl.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var gz = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest))
        {
            var lines = Enumerable.Range(0, 300).Select(i => MarketData.Ticker(Day.AddSeconds(i), sequence: i))
                .Append("""{"type":"ticker","time":"2025-11-14T13:40:00Z","sequence":1.5,"late_field":"x"}""");
            gz.Write(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
        }

        var guessed = Convert(path, "guessed", headBytes: 1024);
        var whole = Convert(path, "whole", headBytes: 4L * 1024 * 1024);

        Assert.Equal(301, guessed.Rows);
        Assert.Equal(301, whole.Rows);
        Assert.Contains("late_field VARCHAR", Describe("whole"));
        Assert.Contains("sequence DOUBLE", Describe("whole"));
        Assert.Equal(Describe("whole"), Describe("guessed"));
        Assert.Equal(Rows("whole"), Rows("guessed"));
    }

    [Fact]
    public void A_bad_line_after_the_head_is_quarantined_once_even_when_the_guess_is_redone()
    {
        var lines = Enumerable.Range(0, 300).Select(i => MarketData.Ticker(Day.AddSeconds(i), sequence: i))
            .Append("{not json")
            .Append("""{"type":"ticker","time":"2025-11-14T13:40:00Z","late_field":"x"}""")
            .ToArray();
        var source = _dir.File(Path.Combine("raw", "ticker_20251114.jsonl"), string.Join("\n", lines) + "\n");

        var result = Convert(source, "guessed", headBytes: 1024);

        Assert.Equal(1, result.BadLines);
        Assert.Equal(301, result.Rows);
        Assert.Single(File.ReadAllLines(result.RejectsFile!));
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(_dir.Path, "guessed"), ".*", SearchOption.AllDirectories),
            f => !f.Contains("_pipelineops", StringComparison.Ordinal));
    }

    private ConversionResult Convert(string source, string destination, long headBytes)
    {
        using var run = ConversionRun.Open(new ConversionOptions { Destination = Path.Combine(_dir.Path, destination), HeadBytes = headBytes });
        return run.Convert(source);
    }

    private string Dataset(string destination) => DuckDb.Dataset(Path.Combine(_dir.Path, destination));

    private List<string> Describe(string destination) =>
        DuckDb.Query($"describe select * from {Dataset(destination)}").Select(r => $"{r[0]} {r[1]}").ToList();

    private List<string> Rows(string destination) =>
        DuckDb.Query($"select to_json(t)::varchar from {Dataset(destination)} t order by sequence::varchar, time")
            .Select(r => (string)r[0]!).ToList();
}
