using System.Globalization;
using System.Text;
using PipelineOps.Conversion;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Conversion;

/// <summary>What readers that use a file's statistics and schema get: DuckDB and Arrow's C++ reader.</summary>
public sealed class DatasetReadersTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Destination => Path.Combine(_dir.Path, "dataset");

    private string Dataset => DuckDb.Dataset(Destination);

    private ConversionResult Convert(string source, ConversionOptions? options = null)
    {
        using var run = ConversionRun.Open(options ?? new ConversionOptions { Destination = Destination });
        return run.Convert(source);
    }

    private string Source(string name, IEnumerable<string> lines) =>
        _dir.File(Path.Combine("raw", name), string.Join("\n", lines) + "\n");

    [Fact]
    public void Every_columns_statistics_are_its_real_min_and_max_in_its_own_unit_and_order()
    {
        // Two row groups. Text that sorts differently as UTF-8 bytes, UTF-16 units and signed bytes: 'é' and '😀'
        // after 'z' and 'Ａ' (U+FF21) before '😀' in Parquet's unsigned byte order; a column null in one row group.
        var source = Source("mixed_20251114.jsonl",
        [
            """{"time":"2025-11-14T00:00:00.000001Z","product_id":"BTC-USD","seq":5,"price":1.5,"live":true,"tags":["z","é"],"flags":[true],"quote":{"bid":"b","ok":true},"note":null}""",
            """{"time":"2025-11-14T08:00:00.123456Z","product_id":"Ａ","seq":-3,"price":-0.25,"live":true,"tags":["😀"],"flags":[true,null],"quote":{"bid":"Ａ","ok":true},"note":null}""",
            """{"time":"2025-11-14T12:00:00Z","product_id":"ETH-USD","seq":9,"price":2,"live":true,"tags":[],"flags":[],"quote":{"bid":"a"},"note":null}""",
            """{"time":"2025-11-14T13:00:00.5Z","product_id":"é","seq":1,"price":3.75,"live":false,"tags":["a",null],"flags":[false],"quote":{"bid":"😀","ok":false},"note":"x"}""",
            """{"time":"2025-11-14T23:59:59.999999Z","product_id":"😀","seq":7,"price":0,"live":null,"tags":null,"flags":null,"quote":null,"note":"z"}""",
            """{"time":"2025-11-14T20:00:00Z","product_id":"z","seq":8,"price":10.125,"live":true,"tags":["Ａ"],"flags":[true],"quote":{"bid":"é","ok":true},"note":"é"}""",
        ]);

        var result = Convert(source, new ConversionOptions { Destination = Destination, RowGroupSize = 3 });

        var output = Assert.Single(result.Outputs);
        var chunks = ArrowCpp.Chunks(output);
        Assert.Equal(2, chunks.Count(c => c.Path == "time"));
        foreach (var chunk in chunks)
        {
            Assert.True(chunk.StatsTrusted, $"Arrow does not trust the statistics of {chunk.Path}");
            if (chunk.Values.Count == 0)
            {
                Assert.Null(chunk.Min);
                Assert.Null(chunk.Max);
                continue;
            }

            var sorted = chunk.Values.Order(Comparer<object>.Create(CompareAsParquet)).ToList();
            Assert.True(Equals(sorted[0], chunk.Min), $"{chunk.Path}: min {chunk.Min}, values from {sorted[0]}");
            Assert.True(Equals(sorted[^1], chunk.Max), $"{chunk.Path}: max {chunk.Max}, values up to {sorted[^1]}");
        }

        // The timestamp's statistics are microseconds, like its values.
        var time = chunks.First(c => c.Path == "time");
        Assert.Contains("Timestamp", time.LogicalType);
        Assert.Equal(DateTime.Parse("2025-11-14T00:00:00.000001Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
            DateTime.UnixEpoch.AddTicks((long)time.Min! * 10));
        Assert.Equal(["😀", "Ａ"], chunks.Where(c => c.Path == "tags.list.element").Select(c => (string)c.Max!));
        Assert.Equal([true, false], chunks.Where(c => c.Path == "live").Select(c => (bool)c.Min!));
    }

    private static int CompareAsParquet(object? a, object? b) => (a, b) switch
    {
        (string x, string y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)),
        (bool x, bool y) => x.CompareTo(y),
        (long x, long y) => x.CompareTo(y),
        (double x, double y) => x.CompareTo(y),
        _ => throw new ArgumentException($"cannot compare {a} and {b}"),
    };

    [Fact]
    public void Timestamps_carry_the_legacy_TIMESTAMP_MICROS_type_beside_the_logical_type()
    {
        var result = Convert(Source("t_20251114.jsonl", ["""{"time":"2025-11-14T00:00:00.000001Z","v":1}"""]));

        var row = DuckDb.Query($"select converted_type, logical_type from parquet_schema('{Assert.Single(result.Outputs)}') where name = 'time'").Single();
        Assert.Equal("TIMESTAMP_MICROS", row[0]);
        Assert.Contains("TimestampType", (string)row[1]!, StringComparison.Ordinal);
        Assert.Contains("isAdjustedToUTC=1", (string)row[1]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Filters_that_statistics_can_prune_return_what_the_same_filter_returns_on_the_values()
    {
        // A day of records every 30 s in row groups of 200, four products in turn.
        var start = new DateTime(2025, 11, 14, 0, 0, 0, DateTimeKind.Utc);
        string[] products = ["BTC-USD", "ETH-USD", "SOL-USD", "ÉTH-EUR"];
        var times = Enumerable.Range(0, 2880).Select(i => start.AddSeconds(i * 30).AddTicks(10 * (i % 997))).ToList();
        var source = Source("level2_20251114.jsonl", times.Select((t, i) =>
            $$"""{"type":"l2update","product_id":"{{products[i % 4]}}","time":"{{MarketData.Iso(t)}}","seq":{{i}},"hot":{{(i % 2 == 0 ? "true" : "false")}}}"""));

        var result = Convert(source, new ConversionOptions { Destination = Destination, RowGroupSize = 200 });
        Assert.Equal(2880, result.Rows);

        var from = start.AddMinutes(1).AddTicks(10);
        Assert.Equal((long)times.Count(t => t >= from),
            DuckDb.Scalar($"select count(*) from {Dataset} where time >= TIMESTAMPTZ '{from:yyyy-MM-dd HH:mm:ss.ffffff}+00'"));
        Assert.Equal(0L, DuckDb.Scalar($"select count(*) from {Dataset} where time < TIMESTAMPTZ '1970-01-22 00:00:00+00'"));
        var noon = start.AddHours(12);
        Assert.Equal((long)times.Count(t => t >= noon && t < noon.AddHours(1)),
            DuckDb.Scalar($"select count(*) from {Dataset} where time >= TIMESTAMPTZ '2025-11-14 12:00:00+00' and time < TIMESTAMPTZ '2025-11-14 13:00:00+00'"));
        Assert.Equal(720L, DuckDb.Scalar($"select count(*) from {Dataset} where product_id = 'ÉTH-EUR'"));
        Assert.Equal(0L, DuckDb.Scalar($"select count(*) from {Dataset} where product_id > 'ÉTH-EUR'"));
        Assert.Equal(2880L, DuckDb.Scalar($"select count(*) from {Dataset} where product_id >= 'BTC-USD'"));
        Assert.Equal(1440L, DuckDb.Scalar($"select count(*) from {Dataset} where hot"));
        Assert.Equal(2880L, DuckDb.Scalar($"select count(*) from {Dataset} where date = DATE '2025-11-14'"));

        // The same filters where nothing can be pushed down to the files: the values alone decide.
        Assert.Equal(DuckDb.Scalar($"select count(*) from {Dataset} where time >= TIMESTAMPTZ '{from:yyyy-MM-dd HH:mm:ss.ffffff}+00'"),
            DuckDb.Scalar($"select count(*) filter (where time >= TIMESTAMPTZ '{from:yyyy-MM-dd HH:mm:ss.ffffff}+00') from {Dataset}"));
        Assert.Equal(720L, DuckDb.Scalar($"select count(*) filter (where product_id = 'ÉTH-EUR') from {Dataset}"));
    }

    [Fact]
    public void Times_without_an_offset_are_UTC_unless_a_zone_is_given()
    {
        var source = Source("late_20251120.jsonl", ["""{"time":"2025-11-20T23:30:00","v":1}""", """{"time":"2025-11-20T23:30:00+01:00","v":2}"""]);

        var utc = Convert(source);
        var york = Convert(source, new ConversionOptions
        {
            Destination = Path.Combine(_dir.Path, "york"),
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York"),
        });

        Assert.Equal(["date=2025-11-20"], utc.Outputs.Select(o => Path.GetFileName(Path.GetDirectoryName(o)!)));
        Assert.Equal(["2025-11-20T22:30:00Z", "2025-11-20T23:30:00Z"], Times(Destination));
        Assert.Equal(["date=2025-11-20", "date=2025-11-21"], york.Outputs.Select(o => Path.GetFileName(Path.GetDirectoryName(o)!)).Order());
        Assert.Equal(["2025-11-20T22:30:00Z", "2025-11-21T04:30:00Z"], Times(Path.Combine(_dir.Path, "york")));
    }

    private static List<string> Times(string destination) =>
        DuckDb.Query($"select strftime(time at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') from {DuckDb.Dataset(destination)} order by time")
            .Select(r => (string)r[0]!).ToList();
    [Fact]
    public void Few_repeated_text_values_are_dictionary_encoded_and_read_back_exactly_with_true_statistics()
    {
        // side and product_id repeat a few values (one non-ASCII, some nulls); id is different on every line.
        string[] products = ["BTC-USD", "ETH-USD", "Zürich-EUR"];
        var lines = Enumerable.Range(0, 3000).Select(i =>
            $$"""{"time":"2025-11-14T00:{{i / 60 % 60:00}}:{{i % 60:00}}Z","side":"{{(i % 2 == 0 ? "buy" : "sell")}}","product_id":{{(i % 7 == 0 ? "null" : $"\"{products[i % 3]}\"")}},"id":"order-{{i:x8}}"}""");
        var result = Convert(Source("orders_20251114.jsonl", lines), new ConversionOptions { Destination = Destination, RowGroupSize = 1000 });

        var output = Assert.Single(result.Outputs);
        var encodings = ArrowCpp.Encodings(output);
        // Data page v1 names dictionary indexes PLAIN_DICTIONARY, v2 RLE_DICTIONARY.
        static bool Dictionary(string[] used) => used.Contains("PlainDictionary") || used.Contains("RleDictionary");
        Assert.All(encodings.Where(e => e.Path is "side" or "product_id"), e => Assert.True(Dictionary(e.Encodings), e.Path));
        Assert.All(encodings.Where(e => e.Path == "id"), e => Assert.False(Dictionary(e.Encodings), e.Path));

        foreach (var chunk in ArrowCpp.Chunks(output).Where(c => c.Path is "side" or "product_id"))
        {
            Assert.True(chunk.StatsTrusted);
            var sorted = chunk.Values.Cast<string>().Order(StringComparer.Ordinal).ToList(); // ordinal = byte order here
            Assert.Equal(sorted[0], chunk.Min);
            Assert.Equal(sorted[^1], chunk.Max);
        }

        var rows = DuckDb.Query($"select side, product_id, count(*) from {Dataset} group by all order by all");
        var expected = Enumerable.Range(0, 3000)
            .GroupBy(i => (i % 2 == 0 ? "buy" : "sell", i % 7 == 0 ? null : products[i % 3]))
            .OrderBy(g => g.Key.Item1, StringComparer.Ordinal).ThenBy(g => g.Key.Item2 is null).ThenBy(g => g.Key.Item2, StringComparer.Ordinal)
            .Select(g => $"{g.Key.Item1}|{g.Key.Item2}|{g.Count()}");
        Assert.Equal(expected, rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}"));
        Assert.Equal(1L, DuckDb.Scalar($"select count(*) from {Dataset} where product_id = 'Zürich-EUR' and id = 'order-00000002'"));
    }
}
