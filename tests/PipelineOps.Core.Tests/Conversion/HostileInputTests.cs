using System.IO.Compression;
using System.Text;
using PipelineOps.Conversion;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;
using PipelineOps.Text;

namespace PipelineOps.Tests.Conversion;

/// <summary>Issue 13 (and 12's findings 3, 5, 6): one hostile line never costs more than itself.</summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Destination => Path.Combine(_dir.Path, "dataset");

    private string Dataset => DuckDb.Dataset(Destination);

    private string Raw(string name, byte[] content)
    {
        var path = Path.Combine(_dir.Path, "raw", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    private string Raw(string name, string content) => Raw(name, Encoding.UTF8.GetBytes(content));

    private ConversionResult Convert(string source, ConversionOptions? options = null)
    {
        using var run = ConversionRun.Open(options ?? new ConversionOptions { Destination = Destination });
        return run.Convert(source);
    }

    private static byte[] Gzip(string text)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    [Theory]
    [InlineData("""{"a":"\uD800"}""")]
    [InlineData("""{"\uD800":1}""")]
    [InlineData("""{"v":{"a":"\uDFAA"}}""")]
    [InlineData("""{"v":["\uD800"]}""")]
    [InlineData("""{"a":"\uD800\u0041"}""")]
    [InlineData("""{"note":"bad \ud800 half","time":"2025-11-20T00:00:02Z"}""")]
    public void A_lone_surrogate_escape_is_one_bad_line_and_the_rest_converts(string bad)
    {
        var source = Raw("s_20251120.jsonl", $"{{\"a\":1}}\n{bad}\n{{\"a\":2}}\n");

        var result = Convert(source);

        Assert.Equal(ConversionStatus.Converted, result.Status);
        Assert.Equal(2, result.Rows);
        Assert.Equal(1, result.BadLines);
        var reject = File.ReadAllLines(result.RejectsFile!).Single();
        Assert.Contains("\"line\":2", reject);
        Assert.Contains("lone surrogate", reject);
    }

    [Theory]
    [InlineData("""{"a":"\uD83D\uDE00","b":"\\uD800"}""")] // a pair, and an escaped backslash before "uD800"
    [InlineData("""{"a":"\\\uD83D\uDE00"}""")]
    public void Paired_surrogates_and_escaped_backslashes_are_records(string line)
    {
        Assert.Null(JsonLineRules.Verdict(Encoding.UTF8.GetBytes(line)));
        var result = Convert(Raw("p_20251120.jsonl", line + "\n"));
        Assert.Equal((1L, 0L), (result.Rows, result.BadLines));
    }

    [Fact]
    public void Partition_values_are_the_values_own_text()
    {
        var source = Raw("p_20251120.jsonl", """
            {"product_id":42,"v":1}
            {"product_id":43,"v":2}
            {"product_id":true,"v":3}
            {"product_id":"x","v":4}

            """);

        var result = Convert(source, new ConversionOptions { Destination = Destination, PartitionBy = ["product_id"] });

        Assert.Equal(4, result.Rows);
        var folders = result.Outputs.Select(o => Path.GetFileName(Path.GetDirectoryName(o))!).Order().ToArray();
        Assert.Equal(["product_id=42", "product_id=43", "product_id=true", "product_id=x"], folders);
    }

    [Fact]
    public void A_long_partition_value_gets_a_short_safe_folder_and_the_file_converts()
    {
        var longValue = new string('x', 300);
        var source = Raw("p_20251120.jsonl", $"{{\"type\":\"{longValue}\",\"v\":1}}\n{{\"type\":\"{longValue}y\",\"v\":2}}\n");

        var result = Convert(source, new ConversionOptions { Destination = Destination, PartitionBy = ["type"] });

        Assert.Equal(ConversionStatus.Converted, result.Status);
        Assert.Equal(2, result.Rows);
        var folders = result.Outputs.Select(o => Path.GetFileName(Path.GetDirectoryName(o))!).ToArray();
        Assert.Equal(2, folders.Distinct().Count());
        Assert.All(folders, f => Assert.True(Encoding.UTF8.GetByteCount(f) <= 160, f));
    }

    [Fact]
    public void The_exact_partition_value_reads_back_from_its_column_whatever_the_folder_name()
    {
        string[] values = [new string('x', 299) + "é", "a/b", "..", "x=y", "naïve 東京 😀", "", "%41", "42"];
        var lines = values.Select((v, i) => $"{{\"type\":{System.Text.Json.JsonSerializer.Serialize(v)},\"v\":{i}}}").ToList();
        lines.Add("{\"type\":42,\"v\":8}");
        lines.Add("{\"v\":9}");
        var source = Raw("p_20251120.jsonl", string.Join("\n", lines) + "\n");

        var result = Convert(source, new ConversionOptions { Destination = Destination, PartitionBy = ["type"] });

        Assert.Equal((10L, 0L), (result.Rows, result.BadLines));
        string?[] expected = [.. values, "42", null];
        var column = HivePartition.ValueColumn("type");
        Assert.Equal("_partition_type", column);
        var read = DuckDb.Query($"select v, {column} from {Dataset} order by v");
        Assert.Equal(expected, read.Select(r => (string?)r[1]).ToArray());
        // Arrow's reader, file by file: every row of a partition's file holds that partition's exact value.
        var arrow = result.Outputs.SelectMany(o => ArrowCpp.Column(o, column).Zip(ArrowCpp.Column(o, "v"))).OrderBy(p => (long)p.Second!)
            .Select(p => (string?)p.First).ToArray();
        Assert.Equal(expected, arrow);
        Assert.All(result.Outputs, o => Assert.True(Encoding.UTF8.GetByteCount(Path.GetFileName(Path.GetDirectoryName(o))!) <= 160, o));
    }

    [Fact]
    public void A_field_named_like_the_partition_value_column_fails_the_source_with_the_reason()
    {
        var source = Raw("p_20251120.jsonl", "{\"type\":\"a\",\"_partition_type\":1}\n");

        var result = Convert(source, new ConversionOptions { Destination = Destination, PartitionBy = ["type"] });

        Assert.Equal(ConversionStatus.Failed, result.Status);
        Assert.Contains("'_partition_type'", result.Reason);
    }

    [Fact]
    public void Empty_objects_and_partition_only_records_are_rows()
    {
        var source = Raw("e_20251120.jsonl", "{\"type\":\"x\"}\n{}\n{\"type\":\"y\",\"v\":1}\n");

        var result = Convert(source, new ConversionOptions { Destination = Destination, PartitionBy = ["type"] });

        Assert.Equal((3L, 0L), (result.Rows, result.BadLines));
        Assert.Equal(3L, DuckDb.Scalar($"select count(*) from {Dataset}"));
    }

    [Fact]
    public void A_number_beyond_double_keeps_its_exact_text()
    {
        var source = Raw("n_20251120.jsonl", "{\"v\":1.5}\n{\"v\":1e400}\n{\"s\":{\"x\":-1E400},\"l\":[1e999]}\n");

        var result = Convert(source);

        Assert.Equal((3L, 0L), (result.Rows, result.BadLines));
        var values = DuckDb.Query($"select v::varchar, s::varchar, l::varchar from {Dataset} order by v nulls last").Select(r => r.Select(x => x?.ToString()).ToArray()).ToArray();
        Assert.Contains(values, r => r[0] == "1e400");
        Assert.Contains(values, r => r[0] == "1.5");
        Assert.DoesNotContain(values.SelectMany(r => r), v => v is not null && v.Contains("inf", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(values, r => r[1] is not null && r[1]!.Contains("-1E400"));
    }

    [Fact]
    public void Duplicate_keys_the_last_wins_at_the_top_and_inside_objects()
    {
        var source = Raw("d_20251120.jsonl", "{\"a\":1,\"a\":2,\"s\":{\"x\":1,\"x\":2}}\n{\"a\":3,\"s\":{\"x\":3}}\n");

        var result = Convert(source);

        Assert.Equal(2, result.Rows);
        var rows = DuckDb.Query($"select a, s.x from {Dataset} order by a");
        Assert.Equal([2L, 2L], rows[0]);
        Assert.Equal([3L, 3L], rows[1]);
    }

    [Fact]
    public void A_complete_last_record_without_a_newline_is_kept()
    {
        var result = Convert(Raw("t_20251120.jsonl", "{\"a\":1}\n{\"a\":2}"));

        Assert.Equal(2, result.Rows);
        Assert.False(result.TornTail);
    }

    [Fact]
    public void An_incomplete_last_line_is_a_torn_tail_not_a_bad_line()
    {
        var result = Convert(Raw("t_20251120.jsonl", "{\"a\":1}\n{\"a\":2}\n{\"a\":"));

        Assert.Equal((2L, 0L, true), (result.Rows, result.BadLines, result.TornTail));
    }

    [Fact]
    public void Carriage_return_only_line_endings_fail_the_source_with_the_reason()
    {
        var result = Convert(Raw("c_20251120.jsonl", "{\"a\":1}\r{\"a\":2}\r{\"a\":3}\r"));

        Assert.Equal(ConversionStatus.Failed, result.Status);
        Assert.Contains("carriage return", result.Reason);
        Assert.Empty(result.Outputs);
    }

    [Fact]
    public void The_line_limit_counts_the_record_not_its_line_ending()
    {
        const int limit = 1000;
        var record = "{\"a\":\"" + new string('x', limit - 8) + "\"}";
        Assert.Equal(limit, record.Length);
        var options = new ConversionOptions { Destination = Destination, MaxLineBytes = limit };

        var lf = Convert(Raw("lf_20251120.jsonl", record + "\n" + record + "x\n"), options);
        var crlf = Convert(Raw("crlf_20251120.jsonl", record + "\r\n" + record + "x\r\n"), options);

        Assert.Equal((1L, 1L), (lf.Rows, lf.BadLines));
        Assert.Equal((1L, 1L), (crlf.Rows, crlf.BadLines));
    }

    [Fact]
    public void Damaged_gzip_fails_the_source_and_publishes_nothing()
    {
        var text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{{\"id\":{i},\"v\":\"{i * 7919 % 10007}\"}}\n"));
        var gzip = Gzip(text);
        for (var i = 0; i < 16; i++)
        {
            gzip[gzip.Length / 2 + i] ^= 0x5A;
        }

        var result = Convert(Raw("g_20251120.jsonl.gz", gzip));

        Assert.Equal(ConversionStatus.Failed, result.Status);
        Assert.Contains("gzip", result.Reason);
        Assert.Empty(result.Outputs);
        Assert.False(Directory.Exists(Destination) && Directory.EnumerateFiles(Destination, "*.parquet", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void A_truncated_gzip_is_a_torn_tail_with_every_whole_line_before_the_cut()
    {
        var text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{{\"id\":{i}}}\n"));
        var gzip = Gzip(text);

        var result = Convert(Raw("g_20251120.jsonl.gz", gzip[..(gzip.Length / 2)]));

        Assert.Equal(ConversionStatus.Converted, result.Status);
        Assert.True(result.TornTail);
        Assert.InRange(result.Rows, 1, 19_999);
        Assert.Equal(result.Rows, DuckDb.Scalar($"select count(*) from {Dataset} where id < {result.Rows}"));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 3)]
    [InlineData(1, 100_000)]
    [InlineData(2, 3)]
    [InlineData(2, 100_000)]
    [InlineData(1, -2)] // 0x1F 0x00: the first byte of a gzip magic number, then not the second
    [InlineData(2, -1)] // a single zero byte
    public void Trailing_data_after_the_last_gzip_member_fails_the_source_naming_its_offset(int members, int garbage)
    {
        var text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{{\"id\":{i}}}\n"));
        var gzip = Gzip(text);
        if (members == 2)
        {
            gzip = [.. gzip, .. Gzip("{\"id\":20000}\n")];
        }

        var junk = garbage switch
        {
            -1 => [0],
            -2 => [0x1f, 0],
            _ => Enumerable.Range(0, garbage).Select(i => (byte)(' ' + i * 31 % 90)).ToArray(),
        };

        var result = Convert(Raw("g_20251120.jsonl.gz", [.. gzip, .. junk]));

        Assert.Equal(ConversionStatus.Failed, result.Status);
        Assert.Contains($"follows the last gzip member, from byte offset {gzip.Length:N0}", result.Reason);
        Assert.Contains($"{junk.Length:N0} bytes", result.Reason);
        Assert.Empty(result.Outputs);
        Assert.False(Directory.Exists(Destination) && Directory.EnumerateFiles(Destination, "*.parquet", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void A_clean_gzip_of_several_members_converts_every_member()
    {
        var gzip = Enumerable.Range(0, 3)
            .SelectMany(m => Gzip(string.Concat(Enumerable.Range(m * 10_000, 10_000).Select(i => $"{{\"id\":{i}}}\n")))).ToArray();

        var result = Convert(Raw("g_20251120.jsonl.gz", gzip));

        Assert.Equal((ConversionStatus.Converted, 30_000L, false), (result.Status, result.Rows, result.TornTail));
        Assert.Equal(30_000L, DuckDb.Scalar($"select count(distinct id) from {Dataset}"));
    }

    [Fact]
    public void A_gz_name_that_is_not_gzip_and_a_bare_gzip_header_fail()
    {
        var notGzip = Convert(Raw("a_20251120.jsonl.gz", "{\"a\":1}\n"));
        var header = Convert(Raw("b_20251120.jsonl.gz", Gzip("{\"a\":1}\n")[..10]));
        byte[] wholeEmptyMember = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        var empty = Convert(Raw("c_20251120.jsonl.gz", wholeEmptyMember));

        Assert.Equal(ConversionStatus.Failed, notGzip.Status);
        Assert.Contains("not gzip", notGzip.Reason);
        Assert.Equal(ConversionStatus.Failed, header.Status);
        Assert.Contains("no data", header.Reason);
        Assert.Equal((ConversionStatus.Converted, 0L), (empty.Status, empty.Rows));
    }

    [Fact]
    public void A_fifo_is_refused_at_once_and_a_symlink_converts_its_target()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fifo = Path.Combine(_dir.Path, "raw", "pipe_20251120.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(fifo)!);
        Assert.Equal(0, Mkfifo(fifo, 0x1B6));
        var target = Raw("real_20251120.jsonl", string.Concat(Enumerable.Range(0, 1000).Select(i => $"{{\"id\":{i}}}\n")));
        var link = Path.Combine(_dir.Path, "raw", "link_20251120.jsonl");
        File.CreateSymbolicLink(link, target);

        var refused = Convert(fifo);
        var linked = Convert(link);

        Assert.Equal(ConversionStatus.Failed, refused.Status);
        Assert.Contains("FIFO", refused.Reason);
        Assert.Equal((ConversionStatus.Converted, 1000L, false), (linked.Status, linked.Rows, linked.TornTail));
    }

    [Fact]
    public void Ever_new_keys_fail_with_a_clear_reason_instead_of_exhausting_memory()
    {
        var source = Raw("k_20251120.jsonl", string.Concat(Enumerable.Range(0, 10_000).Select(i => $"{{\"f{i}\":{i}}}\n")));

        var result = Convert(source);

        Assert.Equal(ConversionStatus.Failed, result.Status);
        Assert.Contains("distinct fields", result.Reason);
    }

    [Fact]
    public void Many_sparse_columns_are_budgeted_by_bytes_not_rows()
    {
        var source = Raw("k_20251120.jsonl", string.Concat(Enumerable.Range(0, 2_000).Select(i => $"{{\"f{i}\":{i}}}\n")));

        var result = Convert(source);

        Assert.Equal((ConversionStatus.Converted, 2000L), (result.Status, result.Rows));
        // 2,000 columns of 2,000 rows would be 4 million cells in one row group; the byte budget cuts it.
        Assert.True((long)DuckDb.Scalar($"select count(distinct row_group_id) from parquet_metadata('{result.Outputs[0]}')")! > 1);
    }

    [Fact]
    public void A_field_named_date_is_kept_and_the_clash_with_the_date_folders_is_warned()
    {
        var result = Convert(Raw("d_20251120.jsonl", "{\"time\":\"2025-11-20T00:00:00Z\",\"date\":\"2020-01-01\"}\n"));

        Assert.Equal(1, result.Rows);
        Assert.Contains(result.Warnings, w => w.Contains("'date'", StringComparison.Ordinal));
        Assert.Equal("2020-01-01", DuckDb.Scalar($"select date from read_parquet('{result.Outputs[0]}', hive_partitioning = false)"));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int Mkfifo(string path, int mode);
}
