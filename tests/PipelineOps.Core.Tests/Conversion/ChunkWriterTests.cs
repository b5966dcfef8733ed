using System.Text;
using PipelineOps.Conversion;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Conversion;

/// <summary>
/// The pages the converter writes itself (ChunkWriter): text as plain and dictionary chunks, top-level, in lists of
/// lists and in structs; numbers, times and booleans; with nulls in runs and alone, under every codec, read back
/// exactly by DuckDB and by Arrow's C++ reader (every page decoded, each flat column compared row by row, through
/// SecondReader), with statistics that are the values' true range.
/// </summary>
public sealed class ChunkWriterTests : IDisposable
{
    private const int Rows = 3000;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(ParquetCompression.None)]
    [InlineData(ParquetCompression.Snappy)]
    [InlineData(ParquetCompression.Zstd)]
    [InlineData(ParquetCompression.Gzip)]
    [InlineData(ParquetCompression.Lz4)]
    public void Text_in_every_shape_reads_back_exactly_under_every_codec(ParquetCompression codec)
    {
        var records = Records().ToList();
        var source = _dir.File(Path.Combine("raw", "book_20251114.jsonl"), string.Join("\n", records.Select(r => r.Line)) + "\n");
        var destination = Path.Combine(_dir.Path, "dataset");
        using (var run = ConversionRun.Open(new ConversionOptions { Destination = destination, Compression = codec, RowGroupSize = 500 }))
        {
            Assert.Equal(ConversionStatus.Converted, run.Convert(source).Status);
        }

        var read = DuckDb.Query(
            $"select id, side, product_id, flip, to_json(changes), quote.bid, quote.ok from {DuckDb.Dataset(destination)} order by id");
        Assert.Equal(records.Select(r => r.Expected), read.Select(r => string.Join('|', r.Select(v => v?.ToString() ?? "NULL"))));

        var file = Directory.EnumerateFiles(destination, "*.parquet", SearchOption.AllDirectories).Single();
        var encodings = ArrowCpp.Encodings(file);
        static bool Dictionary(string[] used) => used.Contains("RleDictionary") || used.Contains("PlainDictionary");
        Assert.All(encodings.Where(e => e.Path is "side" or "product_id" or "changes.list.element.list.element"),
            e => Assert.True(Dictionary(e.Encodings), $"{e.Path} in row group {e.RowGroup}"));
        Assert.All(encodings.Where(e => e.Path is "id" or "quote.bid"), e => Assert.False(Dictionary(e.Encodings), e.Path));
        var phases = ArrowCpp.Chunks(file).Where(c => c.Path == "phase").ToList();
        Assert.Equal(Rows / 500, phases.Count);
        Assert.All(phases, c =>
        {
            Assert.True(c.StatsTrusted);
            Assert.Equal(c.Values.Cast<string>().Min(StringComparer.Ordinal), c.Min);
            Assert.Equal(c.Values.Cast<string>().Max(StringComparer.Ordinal), c.Max);
        });
        Assert.All(encodings.Where(e => e.Path == "phase"), e => Assert.True(Dictionary(e.Encodings), $"phase in row group {e.RowGroup}"));

        // flip repeats one value in the first row group only: a dictionary there, plain after it.
        var flip = encodings.Where(e => e.Path == "flip").OrderBy(e => e.RowGroup).ToList();
        Assert.True(Dictionary(flip[0].Encodings));
        Assert.False(Dictionary(flip[^1].Encodings));
    }

    [Theory]
    [InlineData(ParquetCompression.None)]
    [InlineData(ParquetCompression.Zstd)]
    [InlineData(ParquetCompression.Lz4)]
    public void Numbers_times_and_booleans_read_back_exactly_with_their_true_range(ParquetCompression codec)
    {
        var random = new Random(11);
        var lines = new List<string>();
        var expected = new List<string>();
        for (var i = 0; i < Rows; i++)
        {
            // n: nulls in a run and now and then; x: doubles of both signs with zeros; ok: booleans, all false in the
            // first row group; ns: a list of integers with null and empty lists.
            long? n = i is >= 200 and < 260 || i % 17 == 0 ? null : random.NextInt64(-5_000_000_000, 5_000_000_000);
            double? x = i % 11 == 0 ? null : i % 7 == 0 ? 0.0 : Math.Round((random.NextDouble() - 0.5) * 1e6, 3);
            bool? ok = i % 9 == 0 ? null : i >= 500 && random.Next(2) == 0;
            var ns = (i % 10) switch { 0 => "null", 1 => "[]", 2 => "[null]", _ => $"[{random.Next(-9, 9)},{i}]" };
            var micros = 1763078400000000L + i * 1_234_567L;
            var time = DateTime.UnixEpoch.AddTicks(micros * 10).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'");
            lines.Add($$"""{"time":"{{time}}","i":{{i}},"n":{{n?.ToString() ?? "null"}},"x":{{(x is { } d ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "null")}},"ok":{{(ok is { } b ? (b ? "true" : "false") : "null")}},"ns":{{ns}}}""");
            expected.Add(string.Join('|', i, n?.ToString() ?? "NULL", x is { } v ? v.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "NULL",
                ok is { } o ? o.ToString() : "NULL", ns == "null" ? "NULL" : ns, micros));
        }

        var source = _dir.File(Path.Combine("raw", "numbers_20251114.jsonl"), string.Join("\n", lines) + "\n");
        var destination = Path.Combine(_dir.Path, "numbers");
        using (var run = ConversionRun.Open(new ConversionOptions { Destination = destination, Compression = codec, RowGroupSize = 500 }))
        {
            Assert.Equal(ConversionStatus.Converted, run.Convert(source).Status);
        }

        var read = DuckDb.Query($"select i, n, x, ok, to_json(ns), epoch_us(time) from {DuckDb.Dataset(destination)} order by i");
        Assert.Equal(expected, read.Select(r => string.Join('|', r.Select(v => v switch
        {
            null => "NULL",
            double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            _ => System.Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
        }))));

        var file = Directory.EnumerateFiles(destination, "*.parquet", SearchOption.AllDirectories).Single();
        foreach (var chunk in ArrowCpp.Chunks(file).Where(c => c.Path is "n" or "x" or "ok" or "i"))
        {
            Assert.True(chunk.StatsTrusted, chunk.Path);
            Assert.Equal(chunk.Values.Min(), chunk.Min);
            Assert.Equal(chunk.Values.Max(), chunk.Max);
        }
    }

    /// <summary>Each line and what DuckDB gives back for it, in the query's columns.</summary>
    private static IEnumerable<(string Line, string Expected)> Records()
    {
        var random = new Random(7);
        string[] sides = ["buy", "sell"];
        string[] products = ["BTC-USD", "ETH-USD", "Zürich-EUR", "", "SOL-USD"];
        string[] prices = ["100.5", "100.25", "99.75", "101", "0"];
        for (var i = 0; i < Rows; i++)
        {
            // side: null alone now and then, and in a run of 41 (an RLE run of definition levels amid literals).
            string? side = i is >= 100 and <= 140 || i % 13 == 0 ? null : sides[random.Next(2)];
            var product = products[random.Next(products.Length)];
            var flip = i < 500 ? "same" : $"unique-{i}";
            var (changesJson, changesExpected) = Changes(random);
            var bid = i % 5 == 0 ? null : $"bid-{i}";
            var ok = i % 3 == 0 ? "true" : "false";
            var line = new StringBuilder();
            // phase: a few values in each row group of 500, different ones in each, so each chunk has its own range.
            line.Append($$"""{"time":"2025-11-14T00:{{i / 60 % 60:00}}:{{i % 60:00}}Z","id":"{{i:d6}}","phase":"p{{i / 500}}-{{i % 3}}",""");
            line.Append(side is null ? (i % 2 == 0 ? "" : "\"side\":null,") : $"\"side\":\"{side}\",");
            line.Append($$"""
                "product_id":"{{product}}","flip":"{{flip}}","changes":{{changesJson}},"quote":{{(bid is null ? "null" : $$"""{"bid":"{{bid}}","ok":{{ok}}}""")}}}
                """);
            yield return (line.ToString(),
                string.Join('|', $"{i:d6}", side ?? "NULL", product, flip, changesExpected, bid ?? "NULL", bid is null ? "NULL" : (ok == "true" ? "True" : "False")));
        }

        (string Json, string Expected) Changes(Random random)
        {
            switch (random.Next(12))
            {
                case 0: return ("null", "NULL");
                case 1: return ("[]", "[]");
                case 2: return ("[[]]", "[[]]");
                case 3: return ("[null]", "[null]");
                case 4: return ("""[["buy",null]]""", """[["buy",null]]""");
            }

            var outer = Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
                "[" + string.Join(',', $"\"{sides[random.Next(2)]}\"", $"\"{prices[random.Next(prices.Length)]}\"", $"\"{random.Next(3)}\"") + "]");
            var json = "[" + string.Join(',', outer) + "]";
            return (json, json);
        }
    }
}
