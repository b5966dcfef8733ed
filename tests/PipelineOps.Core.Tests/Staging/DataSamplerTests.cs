using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using PipelineOps.Staging.Sampling;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;
using SharpCompress.Compressors.BZip2;

namespace PipelineOps.Tests.Staging;

public sealed class DataSamplerTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _samples;

    public DataSamplerTests() => _samples = Path.Combine(_temp.Path, "samples");

    public void Dispose() => _temp.Dispose();

    private SampleResult Sample(string source, int rows = 3, SampleOptions? options = null) =>
        DataSampler.Sample(source, _samples, (options ?? new SampleOptions()) with { Rows = rows });

    private static string Lines(int count, Func<int, string> line) =>
        string.Concat(Enumerable.Range(1, count).Select(i => line(i) + "\n"));

    [Fact]
    public void Csv_keeps_the_header_and_whole_records_with_quoted_newlines()
    {
        var source = _temp.File("data.csv", "id,note\r\n1,\"two\nlines\"\r\n2,\"say \"\"hi\"\"\"\r\n3,plain\r\n4,more\r\n");

        var result = Sample(source);

        Assert.Equal((SampleStatus.Sampled, "csv", 3L), (result.Status, result.Format, result.Rows));
        Assert.Equal(Path.Combine(_samples, "data_sample.csv"), result.Sample);
        Assert.Equal("id,note\r\n1,\"two\nlines\"\r\n2,\"say \"\"hi\"\"\"\r\n3,plain\r\n", File.ReadAllText(result.Sample!));
        var rows = DuckDb.Query($"SELECT id, note FROM read_csv('{result.Sample}', header = true) ORDER BY id");
        Assert.Equal("two\nlines", rows[0][1]);
        Assert.Equal("say \"hi\"", rows[1][1]);
    }

    [Fact]
    public void Csv_with_an_unclosed_quote_at_the_end_leaves_the_torn_record_out()
    {
        var source = _temp.File("torn.csv", "id,note\n1,a\n2,\"never closed\n");

        var result = Sample(source, rows: 10);

        Assert.Equal(1, result.Rows);
        Assert.Equal("id,note\n1,a\n", File.ReadAllText(result.Sample!));
        Assert.Contains("unclosed quote", result.Reason);
    }

    [Fact]
    public void Jsonl_takes_the_first_lines_verbatim_and_a_last_line_without_newline()
    {
        var source = _temp.File("events.jsonl", "{\"a\":1}\n{\"a\":2}\n{\"a\":3}");

        var result = Sample(source, rows: 5);

        Assert.Equal(3, result.Rows);
        Assert.Equal("{\"a\":1}\n{\"a\":2}\n{\"a\":3}", File.ReadAllText(result.Sample!));
    }

    [Fact]
    public void A_single_line_over_the_read_cap_fails_without_reading_on()
    {
        var source = _temp.File("huge.ndjson", new string('x', 5000) + "\n{}\n");

        var result = Sample(source, options: new SampleOptions { MaxReadBytes = 1000 });

        Assert.Equal(SampleStatus.Failed, result.Status);
        Assert.Contains("no complete line", result.Reason);
        Assert.False(Directory.Exists(_samples) && Directory.EnumerateFileSystemEntries(_samples).Any());
    }

    [Fact]
    public void Json_array_gives_its_first_elements_as_an_array()
    {
        var source = _temp.File("list.json", "\uFEFF[ {\"a\": [1, {\"b\": \"]\"}]}, 2, \"three\", null, {\"e\": 5} ]");

        var result = Sample(source);

        Assert.Equal(3, result.Rows);
        using var sample = System.Text.Json.JsonDocument.Parse(File.ReadAllText(result.Sample!));
        Assert.Equal(3, sample.RootElement.GetArrayLength());
        Assert.Equal("]", sample.RootElement[0].GetProperty("a")[1].GetProperty("b").GetString());
        Assert.Equal("three", sample.RootElement[2].GetString());
    }

    [Fact]
    public void Small_json_object_is_copied_whole_and_a_large_one_becomes_metadata()
    {
        var small = _temp.File("config.json", "{\"k\": [1, 2]}");
        var large = _temp.File("big.json", "{\"k\": \"" + new string('v', 5000) + "\"}");

        var copied = Sample(small);
        var described = Sample(large, options: new SampleOptions { MaxDocumentBytes = 1000 });

        Assert.Equal("{\"k\": [1, 2]}", File.ReadAllText(copied.Sample!));
        Assert.True(described.Status == SampleStatus.Sampled, described.Reason);
        Assert.EndsWith("big_sample.json.meta.json", described.Sample);
        using var meta = System.Text.Json.JsonDocument.Parse(File.ReadAllText(described.Sample!));
        Assert.Equal(new FileInfo(large).Length, meta.RootElement.GetProperty("size").GetInt64());
    }

    [Fact]
    public void Invalid_json_fails_naming_where()
    {
        var source = _temp.File("bad.json", "[\n {\"a\": 1},\n {\"a\": tru}\n]");

        var result = Sample(source);

        Assert.Equal(SampleStatus.Failed, result.Status);
        Assert.Contains("line 3", result.Reason);
    }

    [Fact]
    public void Parquet_sample_has_the_first_rows_with_nested_columns_intact()
    {
        var source = Path.Combine(_temp.Path, "trades.parquet");
        DuckDb.Query($"""
            COPY (SELECT i AS id, 'p' || (i % 7) AS product, CASE WHEN i % 5 = 0 THEN NULL ELSE i * 1.5 END AS price,
                         [i, i + 1, i + 2][1:(i % 3)] AS levels, {'{'}'side': CASE WHEN i % 2 = 0 THEN 'buy' ELSE 'sell' END, 'size': i{'}'} AS info
                  FROM range(10000) t(i))
            TO '{source}' (FORMAT parquet, ROW_GROUP_SIZE 2048)
            """);

        var result = Sample(source, rows: 2500);

        Assert.True(result.Status == SampleStatus.Sampled, result.Reason);
        Assert.Equal((SampleStatus.Sampled, 2500L), (result.Status, result.Rows));
        var expected = DuckDb.Query($"SELECT * FROM read_parquet('{source}') LIMIT 2500");
        var actual = DuckDb.Query($"SELECT * FROM read_parquet('{result.Sample}')");
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Render(expected[i]), Render(actual[i]));
        }
    }

    private static string Render(object?[] row) => string.Join("|", row.Select(v => v switch
    {
        null => "null",
        System.Collections.IEnumerable e and not string => "[" + string.Join(",", e.Cast<object?>().Select(x => x?.ToString())) + "]",
        _ => v.ToString(),
    }));

    [Fact]
    public void Gzip_sample_is_a_real_gzip_of_the_first_records()
    {
        var source = Path.Combine(_temp.Path, "data.csv.gz");
        using (var gz = new GZipStream(File.Create(source), CompressionLevel.Fastest))
        {
            gz.Write(Encoding.UTF8.GetBytes("h1,h2\n" + Lines(1000, i => $"{i},\"x\ny\"")));
        }

        var result = Sample(source);

        Assert.Equal(("csv.gz", 3L), (result.Format, result.Rows));
        Assert.EndsWith("data_sample.csv.gz", result.Sample);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(result.Sample!), CompressionMode.Decompress));
        Assert.Equal("h1,h2\n1,\"x\ny\"\n2,\"x\ny\"\n3,\"x\ny\"\n", reader.ReadToEnd());
    }

    [Fact]
    public void Bzip2_and_zstd_samples_are_recompressed_and_xz_is_written_plain()
    {
        var text = Lines(500, i => $"{{\"n\":{i}}}");
        var bz2 = Path.Combine(_temp.Path, "a.jsonl.bz2");
        using (var stream = BZip2Stream.Create(File.Create(bz2), SharpCompress.Compressors.CompressionMode.Compress, false))
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
        }

        var zst = Path.Combine(_temp.Path, "a.jsonl.zst");
        using (var stream = new SharpCompress.Compressors.ZStandard.CompressionStream(File.Create(zst), leaveOpen: false))
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
        }

        var xz = Path.Combine(_temp.Path, "a.jsonl");
        File.WriteAllText(xz, text);
        Run("xz", "-z", "-k", xz);

        var expected = "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n";
        var b = Sample(bz2);
        using (var reader = new StreamReader(BZip2Stream.Create(File.OpenRead(b.Sample!), SharpCompress.Compressors.CompressionMode.Decompress, true)))
        {
            Assert.Equal(expected, reader.ReadToEnd());
        }

        var z = Sample(zst);
        using (var reader = new StreamReader(new SharpCompress.Compressors.ZStandard.DecompressionStream(File.OpenRead(z.Sample!), leaveOpen: false)))
        {
            Assert.Equal(expected, reader.ReadToEnd());
        }

        var x = Sample(xz + ".xz");
        Assert.Equal(("jsonl.xz", 3L), (x.Format, x.Rows));
        Assert.EndsWith("a_sample.jsonl", x.Sample);
        Assert.Equal(expected, File.ReadAllText(x.Sample!));
        Assert.Contains("uncompressed", x.Reason);
    }

    [Fact]
    public void Truncated_gzip_fails_and_leaves_no_sample()
    {
        var source = Path.Combine(_temp.Path, "cut.jsonl.gz");
        var full = new MemoryStream();
        using (var gz = new GZipStream(full, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(Lines(50_000, i => $"{{\"i\":{i},\"pad\":\"{Guid.NewGuid()}\"}}")));
        }

        File.WriteAllBytes(source, full.ToArray()[..2000]);

        var result = Sample(source, rows: 100_000);

        Assert.Equal(SampleStatus.Failed, result.Status);
        Assert.False(File.Exists(Path.Combine(_samples, "cut_sample.jsonl.gz")));
    }

    [Fact]
    public void Zip_sample_lists_members_and_copies_the_first_small_one_under_a_safe_name()
    {
        var source = Path.Combine(_temp.Path, "bundle.zip");
        using (var zip = ZipFile.Open(source, ZipArchiveMode.Create))
        {
            Write(zip, "../../escape/readme.txt", "hello");
            Write(zip, "big.bin", new string('a', 10_000));
        }

        var result = Sample(source);

        Assert.Equal((SampleStatus.Sampled, 2L), (result.Status, result.Rows));
        using var sample = ZipFile.OpenRead(result.Sample!);
        Assert.Equal(["_manifest.txt", "escape/readme.txt"], sample.Entries.Select(e => e.FullName).ToArray());
        Assert.Contains("big.bin\t10000", Read(sample.GetEntry("_manifest.txt")!));
        Assert.Equal("hello", Read(sample.GetEntry("escape/readme.txt")!));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_temp.Path, "*", SearchOption.AllDirectories), p => p.Contains("escape", StringComparison.Ordinal) && !p.EndsWith(".zip", StringComparison.Ordinal));
    }

    [Fact]
    public void Zip_bomb_member_is_listed_but_not_inflated()
    {
        var source = Path.Combine(_temp.Path, "bomb.zip");
        using (var zip = ZipFile.Open(source, ZipArchiveMode.Create))
        {
            using var member = zip.CreateEntry("zeros.txt", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
            {
                member.Write(zeros);
            }
        }

        var result = Sample(source, options: new SampleOptions { MaxMemberBytes = 1L << 30 });

        Assert.Equal(SampleStatus.Sampled, result.Status);
        Assert.Contains("expands", result.Reason);
        using var sample = ZipFile.OpenRead(result.Sample!);
        Assert.Equal(["_manifest.txt"], sample.Entries.Select(e => e.FullName).ToArray());
    }

    [Fact]
    public void Corrupt_zip_fails()
    {
        var source = _temp.File("broken.zip", "PK\u0003\u0004 this is not really a zip");

        Assert.Equal(SampleStatus.Failed, Sample(source).Status);
    }

    [Fact]
    public void Tar_and_tgz_become_member_listings_with_control_characters_escaped()
    {
        var tar = Path.Combine(_temp.Path, "backup.tar");
        using (var stream = File.Create(tar))
        using (var writer = new TarWriter(stream))
        {
            foreach (var name in new[] { "a.csv", "dir/b.jsonl", "evil\nname.txt" })
            {
                var entry = new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(new byte[123]) };
                writer.WriteEntry(entry);
            }
        }

        var tgz = Path.Combine(_temp.Path, "backup.tgz");
        using (var gz = new GZipStream(File.Create(tgz), CompressionLevel.Fastest))
        using (var stream = File.OpenRead(tar))
        {
            stream.CopyTo(gz);
        }

        foreach (var (source, format) in new[] { (tar, "tar"), (tgz, "tar.gz") })
        {
            var result = Sample(source);
            Assert.Equal((SampleStatus.Sampled, format, 3L), (result.Status, result.Format, result.Rows));
            var lines = File.ReadAllLines(result.Sample!);
            Assert.Equal(["name\tsize\ttype", "a.csv\t123\tRegularFile", "dir/b.jsonl\t123\tRegularFile", "evil\\x0aname.txt\t123\tRegularFile"], lines);
        }
    }

    [Fact]
    public void SevenZip_lists_members()
    {
        var source = Path.Combine(_temp.Path, "pack.7z");
        using (var stream = File.Create(source))
        using (var writer = SharpCompress.Writers.SevenZip.SevenZipWriter.OpenWriter(stream, new SharpCompress.Writers.SevenZip.SevenZipWriterOptions()))
        {
            writer.Write("one.txt", new MemoryStream(Encoding.UTF8.GetBytes("1111")), null);
            writer.Write("two/two.txt", new MemoryStream(Encoding.UTF8.GetBytes("22")), null);
        }

        var result = Sample(source);

        Assert.Equal((SampleStatus.Sampled, "7z", 2L), (result.Status, result.Format, result.Rows));
        Assert.EndsWith("pack_sample.7z.txt", result.Sample);
        Assert.Contains("two/two.txt\t2\t", File.ReadAllText(result.Sample!));
    }

    [Fact]
    public void Unknown_formats_get_metadata_with_a_sniffed_type()
    {
        var parquetNamedOddly = _temp.File("blob.bin", "PAR1 not quite");
        var text = _temp.File("notes.xyz", "hello");

        var a = Sample(parquetNamedOddly);
        var b = Sample(text);

        Assert.Equal(SampleStatus.Failed, a.Status); // sniffed as Parquet, and it is not a readable one
        Assert.Equal((SampleStatus.Unsupported, "unknown"), (b.Status, b.Format));
        using var meta = System.Text.Json.JsonDocument.Parse(File.ReadAllText(b.Sample!));
        Assert.Equal("text", meta.RootElement.GetProperty("type").GetString());
        Assert.Equal(5, meta.RootElement.GetProperty("size").GetInt64());
    }

    [Fact]
    public void A_sample_carries_its_source_mtime_so_an_unchanged_source_is_up_to_date()
    {
        var source = _temp.File("d.jsonl", "{}\n{}\n", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var first = Sample(source);
        var firstStamp = File.GetLastWriteTimeUtc(first.Sample!);

        var second = Sample(source);
        File.SetLastWriteTimeUtc(source, new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc));
        var third = Sample(source);
        var forced = Sample(source, options: new SampleOptions { Force = true });

        Assert.Equal(SampleStatus.Sampled, first.Status);
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), firstStamp);
        Assert.Equal(SampleStatus.UpToDate, second.Status);
        Assert.Equal(SampleStatus.Sampled, third.Status);
        Assert.Equal(SampleStatus.Sampled, forced.Status);
    }

    [Fact]
    public void An_up_to_date_sample_reports_the_rows_it_holds_and_one_without_a_matching_count_is_sampled_again()
    {
        var source = _temp.File("two.jsonl", "{}\n{}\n", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var first = Sample(source);
        var second = Sample(source);
        File.Delete(SampleCount.PathFor(first.Sample!)); // as a sample written before counts were kept
        var third = Sample(source);
        File.WriteAllText(SampleCount.PathFor(first.Sample!), "7 1\n"); // a count for another size is not trusted
        var fourth = Sample(source);

        Assert.Equal((SampleStatus.Sampled, 2L), (first.Status, first.Rows));
        Assert.Equal((SampleStatus.UpToDate, 2L, first.Bytes), (second.Status, second.Rows, second.Bytes));
        Assert.Equal((SampleStatus.Sampled, 2L), (third.Status, third.Rows));
        Assert.Equal((SampleStatus.Sampled, 2L), (fourth.Status, fourth.Rows));
        Assert.Equal((SampleStatus.UpToDate, 2L), (Sample(source).Status, Sample(source).Rows));
    }

    [Theory]
    [InlineData("big.csv", "id,v\n")]
    [InlineData("big.jsonl", "")]
    public void Sampling_a_5_GB_file_reads_only_its_beginning(string name, string header)
    {
        var source = Path.Combine(_temp.Path, name);
        using (var stream = File.Create(source))
        {
            stream.Write(Encoding.UTF8.GetBytes(header + Lines(1000, i => $"{{\"id\":{i}}}")));
            stream.SetLength(5L << 30); // sparse: the rest reads as zeros without taking disk
        }

        var before = BytesReadByThisProcess();
        var result = Sample(source, rows: 100);
        var read = BytesReadByThisProcess() - before;

        Assert.Equal((SampleStatus.Sampled, 100L), (result.Status, result.Rows));
        Assert.True(read < 256L << 20, $"read {read} bytes of a 5 GB file");
    }

    private static long BytesReadByThisProcess() =>
        long.Parse(File.ReadAllLines("/proc/self/io").First(l => l.StartsWith("rchar:", StringComparison.Ordinal))[6..].Trim());

    private static void Write(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open());
        writer.Write(content);
    }

    private static string Read(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    private static void Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
    }
}
