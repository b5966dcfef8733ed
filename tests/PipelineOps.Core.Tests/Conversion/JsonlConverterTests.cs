using System.IO.Compression;
using System.Text;
using PipelineOps.Conversion;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Conversion;

public sealed class JsonlConverterTests : IDisposable
{
    private static readonly DateTime Day = new(2025, 11, 14, 12, 0, 0, DateTimeKind.Utc);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Destination => Path.Combine(_dir.Path, "dataset");

    private string Source(string name, params string[] lines) => _dir.File(Path.Combine("raw", name), string.Join("\n", lines) + "\n");

    private ConversionResult Convert(string source, ConversionOptions? options = null)
    {
        using var run = ConversionRun.Open(options ?? new ConversionOptions { Destination = Destination });
        return run.Convert(source);
    }

    private string Dataset => DuckDb.Dataset(Destination);

    [Fact]
    public void Level2_and_ticker_records_round_trip_exactly_into_date_partitions()
    {
        var lines = new[]
        {
            MarketData.Level2(Day, price: "91234.50"),
            MarketData.Ticker(Day.AddSeconds(1), price: "3120.10"),
            MarketData.Level2(Day.AddSeconds(2).AddTicks(1230), side: "sell", price: "0.00000001", size: "12345678.90000000"),
        };
        var source = Source("mixed_20251114.jsonl", lines);

        var result = Convert(source);

        Assert.Equal(ConversionStatus.Converted, result.Status);
        Assert.Equal(3, result.Rows);
        Assert.False(result.TornTail);
        var output = Assert.Single(result.Outputs);
        Assert.Equal(Path.Combine(Destination, "date=2025-11-14", "part-mixed_20251114-"), output[..^"12345678.parquet".Length]);
        var rows = DuckDb.Query($"select type, product_id, to_json(changes)::varchar, price, strftime(time, '%Y-%m-%dT%H:%M:%S.%fZ'), date from {Dataset} order by time");
        Assert.Equal(["l2update", "BTC-USD", """[["buy","91234.50","0.25"]]""", null, MarketData.Iso(Day), "2025-11-14"], rows[0].Select(Text));
        Assert.Equal(["ticker", "ETH-USD", null, "3120.10", MarketData.Iso(Day.AddSeconds(1)), "2025-11-14"], rows[1].Select(Text));
        Assert.Equal("""[["sell","0.00000001","12345678.90000000"]]""", rows[2][2]);
        Assert.Equal(MarketData.Iso(Day.AddSeconds(2).AddTicks(1230)), rows[2][4]);
        Assert.Equal("TIMESTAMP WITH TIME ZONE", DuckDb.Scalar($"select typeof(time) from {Dataset} limit 1"));
        Assert.Equal("BIGINT", DuckDb.Scalar($"select typeof(sequence) from {Dataset} limit 1"));
        Assert.Equal("VARCHAR[][]", DuckDb.Scalar($"select typeof(changes) from {Dataset} limit 1"));
        Assert.Equal("0.00000001", DuckDb.Scalar($"select changes[1][2] from {Dataset} where changes[1][1] = 'sell'"));

        // What readers can prune row groups by: null counts and the range of every column, text included.
        var stats = DuckDb.Query($"select path_in_schema, stats_null_count, stats_min_value, stats_max_value from parquet_metadata('{output}')")
            .ToDictionary(r => (string)r[0]!, r => r.Skip(1).Select(Text).ToList());
        Assert.Equal(["2", "3120.10", "3120.10"], stats["price"]);
        Assert.Equal(["0", "l2update", "ticker"], stats["type"]);
        Assert.Equal(["2", "1", "1"], stats["sequence"]);
        Assert.Equal("0", stats["time"][0]);
        Assert.NotNull(stats["time"][1]);
    }

    [Fact]
    public void Arrays_of_a_stable_shape_become_Parquet_lists_and_every_empty_or_null_case_round_trips()
    {
        var source = Source("shapes_20251114.jsonl",
            """{"time":"2025-11-14T00:00:01Z","ints":[1,2],"nums":[1,2.5],"flags":[true],"pairs":[["buy","1.5","0.25"],["sell","2"]],"mixed":[1,"a"],"ragged":[["a"],"b"],"objs":[{"a":1}]}""",
            """{"time":"2025-11-14T00:00:02Z","ints":[],"nums":null,"flags":[null,false],"pairs":[],"mixed":[],"ragged":[],"objs":[]}""",
            """{"time":"2025-11-14T00:00:03Z","ints":[null],"pairs":[[]],"flags":[]}""",
            """{"time":"2025-11-14T00:00:04Z","ints":[9223372036854775807],"pairs":[null,["x",null,"caf\u00e9"]]}""");

        var result = Convert(source);

        var types = DuckDb.Query($"select typeof(ints), typeof(nums), typeof(flags), typeof(pairs), typeof(mixed), typeof(ragged), typeof(objs) from {Dataset} limit 1").Single();
        Assert.Equal(["BIGINT[]", "DOUBLE[]", "BOOLEAN[]", "VARCHAR[][]", "VARCHAR[]", "VARCHAR", "VARCHAR"], types.Select(Text));
        var rows = DuckDb.Query($"select to_json(ints)::varchar, to_json(nums)::varchar, to_json(flags)::varchar, to_json(pairs)::varchar, to_json(mixed)::varchar from {Dataset} order by time");
        Assert.Equal(["[1,2]", "[]", "[null]", "[9223372036854775807]"], rows.Select(r => r[0]));
        Assert.Equal(["[1.0,2.5]", null, null, null], rows.Select(r => r[1]));
        Assert.Equal(["[true]", "[null,false]", "[]", null], rows.Select(r => r[2]));
        Assert.Equal(["""[["buy","1.5","0.25"],["sell","2"]]""", "[]", "[[]]", """[null,["x",null,"café"]]"""], rows.Select(r => r[3]));
        Assert.Equal(["""["1","a"]""", "[]", null, null], rows.Select(r => r[4])); // leaves of mixed kinds: a list of their text
        Assert.Equal(4, result.Rows);
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        DateTime d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    [Fact]
    public void Text_and_list_values_survive_row_group_boundaries_exactly_whatever_their_script_and_escapes()
    {
        // Three row groups of three: multi-byte UTF-8 in the first, escapes in the second, plain ASCII in the last.
        var source = Source("text_20251114.jsonl",
            """{"time":"2025-11-14T00:00:01Z","note":"plain","tags":["a"]}""",
            """{"time":"2025-11-14T00:00:02Z","note":null,"tags":null}""",
            """{"time":"2025-11-14T00:00:03Z","note":"café 日本 😀","tags":["é","日本",null]}""",
            """{"time":"2025-11-14T00:00:04Z","seq":4}""",
            """{"time":"2025-11-14T00:00:05Z","note":"tab\there, caf\u00e9 \"q\"","tags":[]}""",
            """{"time":"2025-11-14T00:00:06Z","note":true,"tags":["\u65e5"]}""",
            """{"time":"2025-11-14T00:00:07Z","note":12.50,"tags":["x","y"]}""",
            """{"time":"2025-11-14T00:00:08Z","note":{"a":[1,"x"]}}""",
            """{"time":"2025-11-14T00:00:09Z","note":"ascii again","tags":[null]}""");

        var result = Convert(source, new ConversionOptions { Destination = Destination, RowGroupSize = 3 });

        Assert.Equal(9, result.Rows);
        Assert.Equal(3L, DuckDb.Scalar($"select count(*) from parquet_metadata('{Destination}/**/*.parquet') where column_id = 0"));
        var rows = DuckDb.Query($"select note, to_json(tags)::varchar from {Dataset} order by time");
        Assert.Equal(
            ["plain", null, "café 日本 😀", null, "tab\there, café \"q\"", "true", "12.50", """{"a":[1,"x"]}""", "ascii again"],
            rows.Select(r => r[0]));
        Assert.Equal(
            ["""["a"]""", null, """["é","日本",null]""", null, "[]", """["日"]""", """["x","y"]""", null, "[null]"],
            rows.Select(r => r[1]));
    }

    [Fact]
    public void A_files_first_row_group_is_small_so_encoding_starts_early_and_a_smaller_row_group_size_is_kept()
    {
        long[] Sizes(string file) =>
            DuckDb.Query($"select row_group_num_rows from parquet_metadata('{file}') where column_id = 0 order by row_group_id")
                .Select(r => (long)r[0]!).ToArray();
        string[] Lines(DateTime day) =>
            Enumerable.Range(0, JsonlConverter.FirstRowGroupRows + 2_500).Select(i => MarketData.Level2(day.AddMilliseconds(i))).ToArray();

        var byDefault = Convert(Source("level2_20251114.jsonl", Lines(Day)));
        var small = Convert(Source("level2_20251115.jsonl", Lines(Day.AddDays(1))), new ConversionOptions { Destination = Destination, RowGroupSize = 5_000 });

        Assert.Equal([JsonlConverter.FirstRowGroupRows, 2_500L], Sizes(byDefault.Outputs.Single()));
        Assert.Equal([5_000L, 5_000L, 2_500L], Sizes(small.Outputs.Single()));
    }

    [Fact]
    public void A_list_column_refuses_an_array_whose_leaves_or_depth_do_not_fit_before_anything_is_added()
    {
        var buffer = ColumnBuffer.For(new ColumnSpec("sizes", ColumnKind.List, ColumnKind.Int64, Depth: 1));
        var floats = new FieldValue { Kind = ValueKind.Nested, ArrayDepth = 1, ArrayLeaves = LeafKinds.Integer | LeafKinds.Float };
        var nested = new FieldValue { Kind = ValueKind.Nested, ArrayDepth = 2, ArrayLeaves = LeafKinds.Integer };
        var fits = new FieldValue { Kind = ValueKind.Nested, ArrayDepth = 1, ArrayLeaves = LeafKinds.Integer };

        Assert.Equal("field 'sizes' holds an array (or object) of another shape where the column is a list of Int64",
            Assert.Throws<InvalidDataException>(() => buffer.Check(floats)).Message);
        Assert.Throws<InvalidDataException>(() => buffer.Check(nested));
        buffer.Check(fits);
        buffer.Check(new FieldValue { Kind = ValueKind.Null });
        Assert.Equal(0, buffer.Count);

        var pairs = ColumnBuffer.For(new ColumnSpec("changes", ColumnKind.List, ColumnKind.String, Depth: 2));
        Assert.Equal("field 'changes' holds a Integer value where the column is a list of lists of String",
            Assert.Throws<InvalidDataException>(() => pairs.Check(new FieldValue { Kind = ValueKind.Integer })).Message);
    }

    [Fact]
    public void A_field_that_first_appears_in_the_last_record_is_kept()
    {
        var lines = Enumerable.Range(0, 5000).Select(i => MarketData.Ticker(Day.AddSeconds(i), sequence: i))
            .Append("""{"type":"ticker","time":"2025-11-14T13:40:00Z","late_field":"here at last"}""").ToArray();

        var result = Convert(Source("ticker_20251114.jsonl", lines));

        Assert.Equal(5001, result.Rows);
        Assert.Equal(["here at last"], DuckDb.Query($"select late_field from {Dataset} where late_field is not null").Select(r => r[0]));
    }

    [Fact]
    public void Numbers_widen_by_the_documented_rules_and_nothing_is_rounded_or_lost()
    {
        var source = Source("numbers_20251114.jsonl",
            """{"time":"2025-11-14T00:00:01Z","ints":1,"mixed":1,"big":1,"text":"a","flag":true,"nested":{"a":[1,2]}}""",
            """{"time":"2025-11-14T00:00:02Z","ints":9007199254740993,"mixed":2.5,"big":123456789012345678901234567890,"text":7,"flag":false,"nested":[{"b":null}]}""",
            """{"time":"2025-11-14T00:00:03Z","ints":null,"mixed":-3,"big":null,"text":{"x":1},"flag":null,"nested":null}""");

        Convert(source);

        var types = DuckDb.Query($"select typeof(ints), typeof(mixed), typeof(big), typeof(text), typeof(flag), typeof(nested) from {Dataset} limit 1").Single();
        Assert.Equal(["BIGINT", "DOUBLE", "VARCHAR", "VARCHAR", "BOOLEAN", "VARCHAR"], types.Select(Text));
        var rows = DuckDb.Query($"select ints, mixed, big, text, flag, nested from {Dataset} order by time");
        Assert.Equal(9007199254740993L, rows[1][0]);
        Assert.Equal(2.5, rows[1][1]);
        Assert.Equal(-3.0, rows[2][1]);
        Assert.Equal("123456789012345678901234567890", rows[1][2]);
        Assert.Equal(["a", "7", """{"x":1}"""], rows.Select(r => r[3]));
        Assert.Equal(["""{"a":[1,2]}""", """[{"b":null}]""", null], rows.Select(r => r[5]));
    }

    [Fact]
    public void A_file_whose_records_span_midnight_lands_in_both_days()
    {
        var source = Source("level2_20251114.jsonl",
            MarketData.Level2(new DateTime(2025, 11, 14, 23, 59, 59, DateTimeKind.Utc)),
            MarketData.Level2(new DateTime(2025, 11, 15, 0, 0, 1, DateTimeKind.Utc)),
            MarketData.Level2(new DateTime(2025, 11, 15, 0, 0, 2, DateTimeKind.Utc)));

        var result = Convert(source);

        Assert.Equal(2, result.Outputs.Count);
        var perDay = DuckDb.Query($"select date::varchar, count(*) from {Dataset} group by all order by 1");
        Assert.Equal([("2025-11-14", 1L), ("2025-11-15", 2L)], perDay.Select(r => ((string)r[0]!, (long)r[1]!)));
    }

    [Fact]
    public void Records_without_a_time_use_the_date_in_the_file_name()
    {
        var source = Source("events_20251103.jsonl", """{"id":1}""", """{"id":2,"time":"not a time"}""");

        Convert(source);

        Assert.Equal(2L, DuckDb.Scalar($"select count(*) from {Dataset} where date = '2025-11-03'"));
        Assert.Equal("VARCHAR", DuckDb.Scalar($"select typeof(time) from {Dataset} limit 1"));
    }

    [Fact]
    public void A_torn_last_line_is_left_out_and_reported_never_written_as_an_empty_row()
    {
        var path = _dir.File("raw/level2_20251114.jsonl", MarketData.Level2(Day) + "\n" + MarketData.Level2(Day.AddSeconds(1)) + "\n{\"type\":\"l2upd");

        var result = Convert(path);

        Assert.True(result.TornTail);
        Assert.Equal(0, result.BadLines);
        Assert.Equal(2, result.Rows);
        Assert.Equal(2L, DuckDb.Scalar($"select count(*) from {Dataset}"));
        Assert.Equal(0L, DuckDb.Scalar($"select count(*) from {Dataset} where type is null"));
    }

    [Fact]
    public void Malformed_lines_are_quarantined_with_file_and_line_and_the_rest_is_converted()
    {
        var good = MarketData.Level2(Day);
        var bytes = new List<byte>();
        void Line(byte[] content) => bytes.AddRange([.. content, (byte)'\n']);
        bytes.AddRange(Encoding.UTF8.GetPreamble());                         // BOM at the start: fine
        Line(Encoding.UTF8.GetBytes(good));                                     // 1
        Line(Encoding.UTF8.GetBytes("{\"type\": broken"));                      // 2 bad JSON
        Line([.. Encoding.UTF8.GetBytes("{\"type\":\"x\",\"v\":\""), 0xC3, 0x28, .. "\"}"u8]); // 3 invalid UTF-8
        Line(Encoding.UTF8.GetBytes(good + "\r"));                              // 4 CRLF: fine
        Line(Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 5000) + "\"}")); // 5 too long
        Line(Encoding.UTF8.GetBytes(new string('[', 100) + new string(']', 100))); // 6 deep, and not an object
        Line(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 70)) + "1" + new string('}', 70))); // 7 too deep
        Line(Encoding.UTF8.GetBytes("[1,2]"));                                  // 8 not an object
        Line(Encoding.UTF8.GetBytes(good + " {}"));                             // 9 two values
        Line(Encoding.UTF8.GetBytes(good));                                     // 10
        var path = Path.Combine(_dir.Path, "raw", "level2_20251114.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [.. bytes]);

        var result = Convert(path, new ConversionOptions { Destination = Destination, MaxLineBytes = 4096 });

        Assert.Equal(ConversionStatus.Converted, result.Status);
        Assert.Equal(3, result.Rows);
        Assert.Equal(7, result.BadLines);
        Assert.NotNull(result.RejectsFile);
        var rejects = DuckDb.Query($"select source, line, error from read_json('{result.RejectsFile}', format = 'newline_delimited') order by line");
        Assert.Equal([2L, 3L, 5L, 6L, 7L, 8L, 9L], rejects.Select(r => (long)r[1]!));
        Assert.All(rejects, r => Assert.Equal(path, r[0]));
        Assert.Contains("invalid UTF-8", (string)rejects[1][2]!, StringComparison.Ordinal);
        Assert.Contains("too long", (string)rejects[2][2]!, StringComparison.Ordinal);
        Assert.Contains("not a JSON object", (string)rejects[5][2]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BadLinePolicy.Fail, null)]
    [InlineData(BadLinePolicy.Quarantine, 1L)]
    public void A_file_over_the_bad_line_limit_fails_and_publishes_no_output(BadLinePolicy policy, long? maxBadLines)
    {
        var source = Source("level2_20251114.jsonl", MarketData.Level2(Day), "oops", "again", MarketData.Level2(Day));

        var result = Convert(source, new ConversionOptions { Destination = Destination, BadLinePolicy = policy, MaxBadLines = maxBadLines });

        Assert.Equal(ConversionStatus.Failed, result.Status);
        Assert.Empty(result.Outputs);
        Assert.Empty(Directory.GetFiles(Destination, "*.parquet", SearchOption.AllDirectories));
        Assert.DoesNotContain(Directory.GetFiles(Destination, ".*", SearchOption.AllDirectories), f => f.Contains(".tmp-", StringComparison.Ordinal));
        Assert.Contains("line", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Skip_policy_counts_bad_lines_without_keeping_them()
    {
        var source = Source("level2_20251114.jsonl", MarketData.Level2(Day), "oops");

        var result = Convert(source, new ConversionOptions { Destination = Destination, BadLinePolicy = BadLinePolicy.Skip });

        Assert.Equal((1L, 1L), (result.Rows, result.BadLines));
        Assert.Null(result.RejectsFile);
        Assert.False(Directory.Exists(Path.Combine(Destination, "_rejects")));
    }

    [Fact]
    public void Re_running_is_idempotent_a_grown_source_is_reconverted_and_Force_reconverts()
    {
        var source = Source("level2_20251114.jsonl", MarketData.Level2(Day), MarketData.Level2(Day.AddSeconds(1)));
        var first = Convert(source);

        var second = Convert(source);
        File.AppendAllText(source, MarketData.Level2(Day.AddSeconds(2)) + "\n");
        var grown = Convert(source);
        var forced = Convert(source, new ConversionOptions { Destination = Destination, Force = true });

        Assert.Equal(ConversionStatus.UpToDate, second.Status);
        Assert.Equal(first.Outputs, second.Outputs);
        Assert.Equal(ConversionStatus.Converted, grown.Status);
        Assert.Equal(first.Outputs, grown.Outputs);
        Assert.Equal(3, grown.Rows);
        Assert.Equal(ConversionStatus.Converted, forced.Status);
        Assert.Equal(3L, DuckDb.Scalar($"select count(*) from {Dataset}"));
        Assert.Single(Directory.GetFiles(Destination, "*.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public void Outputs_a_source_no_longer_produces_are_removed_on_reconversion()
    {
        var source = Source("events_20251114.jsonl", """{"time":"2025-11-14T10:00:00Z"}""", """{"time":"2025-11-15T10:00:00Z"}""");
        Convert(source);
        File.WriteAllText(source, """{"time":"2025-11-14T10:00:00Z"}""" + "\n" + """{"time":"2025-11-14T11:00:00Z"}""" + "\n");

        var result = Convert(source);

        Assert.Single(result.Outputs);
        Assert.Equal([("2025-11-14", 2L)], DuckDb.Query($"select date::varchar, count(*) from {Dataset} group by all").Select(r => ((string)r[0]!, (long)r[1]!)));
    }

    [Fact]
    public void TypeFilter_keeps_only_matching_records_and_PartitionBy_adds_levels()
    {
        var source = Source("mixed_20251114.jsonl",
            MarketData.Level2(Day, product: "BTC-USD"), MarketData.Ticker(Day), MarketData.Level2(Day, product: "ETH/USD"),
            """{"type":"snapshot","product_id":"BTC-USD","time":"2025-11-14T12:00:00Z","bids":[]}""");

        var result = Convert(source, new ConversionOptions
        {
            Destination = Destination,
            TypeFilter = new HashSet<string> { "l2update", "snapshot" },
            PartitionBy = ["type", "product_id"],
        });

        Assert.Equal((3L, 1L), (result.Rows, result.Filtered));
        var folders = result.Outputs.Select(o => Path.GetRelativePath(Destination, Path.GetDirectoryName(o)!).Replace('\\', '/')).Order().ToArray();
        Assert.Equal(["date=2025-11-14/type=l2update/product_id=BTC-USD", "date=2025-11-14/type=l2update/product_id=ETH%2FUSD",
            "date=2025-11-14/type=snapshot/product_id=BTC-USD"], folders);
        Assert.Equal(["BTC-USD", "ETH/USD"], DuckDb.Query($"select distinct product_id from {Dataset} where type = 'l2update' order by 1").Select(r => r[0]));
    }

    [Fact]
    public void Gzip_sources_convert_and_a_truncated_one_keeps_what_came_before_the_cut()
    {
        var path = Path.Combine(_dir.Path, "raw", "level2_20251114.jsonl.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            foreach (var i in Enumerable.Range(0, 2000))
            {
                gz.Write(Encoding.UTF8.GetBytes(MarketData.Level2(Day.AddSeconds(i)) + "\n"));
            }
        }

        var whole = Convert(path);
        var truncated = Path.Combine(_dir.Path, "raw", "cut_20251114.jsonl.gz");
        File.WriteAllBytes(truncated, File.ReadAllBytes(path)[..(int)(new FileInfo(path).Length / 2)]);
        var cut = Convert(truncated);

        Assert.Equal(2000, whole.Rows);
        Assert.Equal(ConversionStatus.Converted, cut.Status);
        Assert.True(cut.TornTail);
        Assert.InRange(cut.Rows, 1, 1999);
    }

    [Fact]
    public void Validate_reads_every_output_back()
    {
        var source = Source("level2_20251114.jsonl", MarketData.Level2(Day));

        var result = Convert(source, new ConversionOptions { Destination = Destination, Validate = true });

        Assert.Equal(ConversionStatus.Converted, result.Status);
    }

    [Fact]
    public void Row_groups_stay_within_the_row_group_size_and_memory_budget_across_many_partitions()
    {
        var lines = Enumerable.Range(0, 3000).Select(i => MarketData.Level2(Day.AddSeconds(i), product: $"P{i % 30}")).ToArray();
        var source = Source("level2_20251114.jsonl", lines);

        var result = Convert(source, new ConversionOptions { Destination = Destination, RowGroupSize = 40, PartitionBy = ["product_id"] });

        Assert.Equal(30, result.Outputs.Count);
        Assert.Equal(3000L, DuckDb.Scalar($"select count(*) from {Dataset}"));
        var largestGroup = DuckDb.Scalar($"select max(row_group_num_rows) from parquet_metadata('{Destination}/**/*.parquet')");
        Assert.True((long)largestGroup! <= 40);
    }

    [Fact]
    public void Long_lines_start_a_new_row_group_by_bytes_as_well_as_by_rows_and_no_row_is_lost()
    {
        // 2 KB lines against a 20 KB byte bound: about ten rows a row group, where the row bound alone would allow all 300.
        var padding = new string('x', 2000);
        var lines = Enumerable.Range(0, 300)
            .Select(i => $$"""{"time":"2025-11-14T{{i / 60:00}}:{{i % 60:00}}:00Z","seq":{{i}},"blob":"{{padding}}","product_id":"P{{i % 3}}"}""")
            .ToArray();
        var source = Source("long_20251114.jsonl", lines);

        var single = Convert(source, new ConversionOptions { Destination = Destination, RowGroupBytes = 20_000 });
        var largestGroup = (long)DuckDb.Scalar($"select max(row_group_num_rows) from parquet_metadata('{Destination}/**/*.parquet')")!;
        var groups = (long)DuckDb.Scalar($"select count(distinct row_group_id) from parquet_metadata('{Destination}/**/*.parquet')")!;

        Assert.Equal(300, single.Rows);
        Assert.Equal(300L, DuckDb.Scalar($"select count(distinct seq) from {Dataset}"));
        Assert.InRange(largestGroup, 9, 10);
        Assert.InRange(groups, 30, 34);

        // 60 partitions of 5 lines each: no partition reaches the bound alone, but together they would hold all 630 KB.
        // Holding at most twice the bound across partitions writes some of them out early, in more than one group.
        var partitioned = Convert(Source("long_20251115.jsonl", lines.Select((l, i) => l.Replace($"\"P{i % 3}\"", $"\"P{i % 60}\"")).ToArray()),
            new ConversionOptions { Destination = Destination, RowGroupBytes = 20_000, PartitionBy = ["product_id"] });
        var partitionGroups = (long)DuckDb.Scalar(
            $"select count(distinct (file_name, row_group_id)) from parquet_metadata('{Destination}/date=*/product_id=*/*.parquet')")!;

        Assert.Equal(60, partitioned.Outputs.Count);
        Assert.Equal(300L, DuckDb.Scalar($"select count(*) from read_parquet('{Destination}/date=*/product_id=*/*.parquet')"));
        Assert.True(partitionGroups > 60, $"{partitionGroups} row groups: the partitions were held whole");
    }

    [Fact]
    public void Another_run_into_the_same_destination_is_refused_while_one_holds_it()
    {
        using var first = ConversionRun.Open(new ConversionOptions { Destination = Destination });

        var error = Assert.Throws<IOException>(() => ConversionRun.Open(new ConversionOptions { Destination = Destination }));
        Assert.Contains("Another conversion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Temporary_files_left_by_a_killed_run_are_removed_by_the_next()
    {
        var orphan = Path.Combine(Destination, "date=2025-11-14", ".part-x.parquet.tmp-0123");
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        File.WriteAllText(orphan, "half");

        using var run = ConversionRun.Open(new ConversionOptions { Destination = Destination });

        Assert.Equal(1, run.OrphansRemoved);
        Assert.False(File.Exists(orphan));
    }

    [Fact]
    public void Empty_objects_are_rows_and_a_file_of_only_empty_objects_takes_the_datasets_columns()
    {
        var mixed = Source("mixed_20251114.jsonl", MarketData.Level2(Day), "{}", MarketData.Level2(Day));
        var empty = Source("empty_20251114.jsonl", "{}", "{}");

        var mixedResult = Convert(mixed);
        var emptyResult = Convert(empty);

        Assert.Equal((3L, 0L), (mixedResult.Rows, mixedResult.BadLines)); // a heartbeat is a record
        Assert.Equal(ConversionStatus.Converted, emptyResult.Status);
        // The dataset's schema already has columns, so heartbeats alone are rows of nulls in it.
        Assert.Equal((2L, 0L), (emptyResult.Rows, emptyResult.BadLines));
        Assert.Equal(3L, DuckDb.Scalar($"select count(*) from {Dataset} where type is null"));

        // Into a dataset of its own there is no column at all: Parquet cannot hold a row of none, so they are bad lines.
        var alone = Convert(empty, new ConversionOptions { Destination = Path.Combine(Destination, "..", "alone") });
        Assert.Equal((0L, 2L), (alone.Rows, alone.BadLines));
        Assert.Empty(alone.Outputs);
    }

    [Fact]
    public void Columns_keep_their_types_when_a_type_filter_is_set()
    {
        var source = Source("mixed_20251114.jsonl", MarketData.Ticker(Day, sequence: 7), MarketData.Level2(Day),
            """{"type":"ticker","time":"2025-11-14T12:00:01Z","sequence":8,"note":"caf\u00e9 \"quoted\""}""");

        Convert(source, new ConversionOptions { Destination = Destination, TypeFilter = new HashSet<string> { "ticker" } });

        var types = DuckDb.Query($"select typeof(sequence), typeof(time), typeof(price) from {Dataset} limit 1").Single();
        Assert.Equal(["BIGINT", "TIMESTAMP WITH TIME ZONE", "VARCHAR"], types.Select(Text));
        Assert.Equal("café \"quoted\"", DuckDb.Scalar($"select note from {Dataset} where note is not null"));
        Assert.Equal(0L, DuckDb.Scalar($"select count(*) from {Dataset} where type <> 'ticker'"));
    }

    [Fact]
    public void A_large_file_read_in_parallel_ranges_still_merges_kinds_and_keeps_column_order()
    {
        var half = 40_000; // about 8 MB in all: over the size at which the schema pass splits the file
        var lines = Enumerable.Range(0, half).Select(i => $$"""{"time":"2025-11-14T10:00:00Z","n":{{i}},"pad":"{{new string('x', 80)}}"}""")
            .Concat(Enumerable.Range(0, half).Select(i => $$"""{"time":"2025-11-14T11:00:00Z","n":{{i}}.5,"pad":"{{new string('y', 80)}}","second_half_only":true}""")).ToArray();
        var source = Source("big_20251114.jsonl", lines);
        Assert.True(new FileInfo(source).Length > 4 * 1024 * 1024);

        var result = Convert(source);

        Assert.Equal(2L * half, result.Rows);
        var columns = DuckDb.Query($"select column_name, column_type from (describe select * from read_parquet('{result.Outputs.Single()}', hive_partitioning = false))");
        Assert.Equal([("time", "TIMESTAMP WITH TIME ZONE"), ("n", "DOUBLE"), ("pad", "VARCHAR"), ("second_half_only", "BOOLEAN")],
            columns.Select(r => ((string)r[0]!, (string)r[1]!)));
        Assert.Equal((long)half, DuckDb.Scalar($"select count(*) from {Dataset} where second_half_only"));
    }

    [Fact]
    public void A_given_schema_fixes_types_and_order_and_a_value_that_does_not_fit_is_a_bad_line_naming_its_field()
    {
        var source = Source("ticker_20251114.jsonl",
            """{"type":"ticker","sequence":1,"price":"3120.15","opened":"2025-11-14T00:00:00Z","time":"2025-11-14T12:00:00Z","extra":true}""",
            """{"type":"ticker","sequence":"two","price":"3120.16","opened":"2025-11-14T00:00:00Z","time":"2025-11-14T12:00:01Z"}""",
            """{"type":"ticker","sequence":3,"price":"3120.17","time":"2025-11-14T12:00:02Z"}""");
        var schema = new Dictionary<string, ColumnKind>
        {
            ["time"] = ColumnKind.Timestamp, ["sequence"] = ColumnKind.Double, ["opened"] = ColumnKind.Timestamp, ["never_seen"] = ColumnKind.Int64,
        };

        var result = Convert(source, new ConversionOptions { Destination = Destination, Schema = schema, SchemaOrderGiven = true });

        Assert.Equal((2L, 1L), (result.Rows, result.BadLines));
        var rejected = DuckDb.Query($"select line, error from read_json('{result.RejectsFile}', format = 'newline_delimited')").Single();
        Assert.Equal(2L, rejected[0]);
        Assert.Contains("'sequence'", (string)rejected[1]!, StringComparison.Ordinal);
        var columns = DuckDb.Query($"select column_name, column_type from (describe select * from read_parquet('{result.Outputs.Single()}', hive_partitioning = false))");
        Assert.Equal([("time", "TIMESTAMP WITH TIME ZONE"), ("sequence", "DOUBLE"), ("opened", "TIMESTAMP WITH TIME ZONE"), ("never_seen", "BIGINT"),
            ("type", "VARCHAR"), ("price", "VARCHAR"), ("extra", "BOOLEAN")], columns.Select(r => ((string)r[0]!, (string)r[1]!)));
        Assert.Equal([1.0, 3.0], DuckDb.Query($"select sequence from {Dataset} order by time").Select(r => r[0]));
    }
    [Theory]
    [InlineData(ParquetCompression.Snappy, "SNAPPY")]
    [InlineData(ParquetCompression.Zstd, "ZSTD")]
    [InlineData(ParquetCompression.Gzip, "GZIP")]
    [InlineData(ParquetCompression.Lz4, "LZ4_RAW")]
    [InlineData(ParquetCompression.None, "UNCOMPRESSED")]
    public void Every_codec_writes_files_DuckDB_reads(ParquetCompression codec, string duckDbName)
    {
        var source = Source("level2_20251114.jsonl", Enumerable.Range(0, 500).Select(i => MarketData.Level2(Day.AddSeconds(i))).ToArray());

        var result = Convert(source, new ConversionOptions { Destination = Destination, Compression = codec, CompressionLevel = System.IO.Compression.CompressionLevel.Optimal, Validate = true });

        Assert.Equal(ConversionStatus.Converted, result.Status);
        Assert.Equal(duckDbName, DuckDb.Scalar($"select distinct compression from parquet_metadata('{result.Outputs.Single()}') where path_in_schema = 'type'"));
        Assert.Equal(500L, DuckDb.Scalar($"select count(distinct time) from {Dataset}"));
    }
    [Fact]
    public void Flat_objects_become_structs_and_anything_less_regular_stays_exact_JSON()
    {
        var source = Source("meta_20251114.jsonl",
            """{"time":"2025-11-14T00:00:01Z","meta":{"exchange":"cb","seq":1,"px":1.5,"ok":true,"id":"a"},"deep":{"a":{"b":1}},"both":{"a":1}}""",
            """{"time":"2025-11-14T00:00:02Z","meta":{"exchange":"kr","seq":2,"px":2,"late":"x","id":7},"deep":{"a":1},"both":[1]}""",
            """{"time":"2025-11-14T00:00:03Z","meta":null}""",
            """{"time":"2025-11-14T00:00:04Z","seq":4}""",
            """{"time":"2025-11-14T00:00:05Z","meta":{}}""",
            """{"time":"2025-11-14T00:00:06Z","meta":{"exchange":"b\"s\\ \u00e9","id":"ü"}}""");

        var result = Convert(source);

        Assert.Equal(6, result.Rows);
        var types = DuckDb.Query($"select typeof(meta), typeof(deep), typeof(\"both\") from {Dataset} limit 1").Single();
        Assert.Equal(["STRUCT(exchange VARCHAR, seq BIGINT, px DOUBLE, ok BOOLEAN, id VARCHAR, late VARCHAR)", "VARCHAR", "VARCHAR"], types.Select(Text));
        var meta = DuckDb.Query($"select to_json(meta)::varchar from {Dataset} order by time limit 5").Select(r => r[0]);
        Assert.Equal(
        [
            """{"exchange":"cb","seq":1,"px":1.5,"ok":true,"id":"a","late":null}""",
            """{"exchange":"kr","seq":2,"px":2.0,"ok":null,"id":"7","late":"x"}""",
            null,
            null,
            """{"exchange":null,"seq":null,"px":null,"ok":null,"id":null,"late":null}""",
        ], meta);
        Assert.Equal(["""{"a":{"b":1}}""", """{"a":1}"""], DuckDb.Query($"select deep from {Dataset} where deep is not null order by time").Select(r => r[0]));
        Assert.Equal("kr", DuckDb.Scalar($"select meta.exchange from {Dataset} where meta.seq = 2"));
        Assert.Equal(["b\"s\\ é", "ü"], DuckDb.Query($"select meta.exchange, meta.id from {Dataset} where meta.seq is null and meta.id is not null").Single().Select(Text));
    }
    [Fact]
    public void A_ledger_line_torn_by_a_crash_is_counted_and_the_next_entry_starts_on_a_fresh_line()
    {
        var source = Source("level2_20251114.jsonl", MarketData.Level2(Day));
        Convert(source);
        File.AppendAllText(ConversionLedger.PathFor(Destination), "{\"source\":\"/raw/x.jsonl\",\"si"); // killed mid-append
        var betweenRuns = DateTime.UtcNow;
        Thread.Sleep(10);

        var again = Convert(source, new ConversionOptions { Destination = Destination, Force = true });
        var ledger = ConversionLedger.Load(Destination);

        Assert.Equal(ConversionStatus.Converted, again.Status);
        Assert.Equal(1, ledger.UnreadableLines);
        Assert.True(ledger.Find(source)!.ConvertedAtUtc > betweenRuns, "the forced run's entry was not read back");
        Assert.Equal(ConversionStatus.UpToDate, Convert(source).Status);
    }
}
