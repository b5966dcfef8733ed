using ParquetSharp;
using PipelineOps.Conversion;
using PipelineOps.Staging.Sampling;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Staging;

/// <summary>Samples of files Arrow writes and Parquet.Net does not: REQUIRED columns, legacy lists, older codecs.</summary>
public sealed class ParquetSampleFidelityTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private SampleResult Sample(string path, int rows = 10) =>
        DataSampler.Sample(path, Path.Combine(_temp.Path, "samples"), new SampleOptions { Rows = rows });

    [Fact]
    public void Required_columns_written_by_arrow_give_a_sample_with_the_rows_it_claims()
    {
        var path = Path.Combine(_temp.Path, "required.parquet");
        using (var file = new ParquetFileWriter(path, [new Column<int>("a"), new Column<long>("b")]))
        {
            using var group = file.AppendRowGroup();
            using (var a = group.NextColumn().LogicalWriter<int>())
            {
                a.WriteBatch(Enumerable.Range(0, 1000).ToArray());
            }

            using (var b = group.NextColumn().LogicalWriter<long>())
            {
                b.WriteBatch(Enumerable.Range(0, 1000).Select(i => i * 10L).ToArray());
            }

            file.Close();
        }

        var result = Sample(path);

        Assert.True(result.Status == SampleStatus.Sampled, result.Reason);
        Assert.Equal(10, result.Rows);
        var rows = DuckDb.Query($"SELECT a, b FROM read_parquet('{result.Sample}')");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (i, i * 10L)), rows.Select(r => (Convert.ToInt32(r[0]), Convert.ToInt64(r[1]))));
    }

    [Fact]
    public void A_legacy_two_level_list_is_unsupported_by_name_not_a_broken_sample()
    {
        var path = Path.Combine(_temp.Path, "legacy.parquet");
        var schema = new ParquetSharp.Schema.GroupNode("schema", Repetition.Required,
        [
            new ParquetSharp.Schema.GroupNode("values", Repetition.Optional,
                [new ParquetSharp.Schema.PrimitiveNode("element", Repetition.Repeated, LogicalType.None(), PhysicalType.Int32)],
                LogicalType.List()),
        ]);
        using (var properties = new WriterPropertiesBuilder().Build())
        using (var file = new ParquetFileWriter(path, schema, properties))
        {
            using var group = file.AppendRowGroup();
            using (var column = (ColumnWriter<int>)group.NextColumn())
            {
                column.WriteBatch(3, [2, 2, 0], [0, 1, 0], [1, 2]);
            }

            file.Close();
        }

        var result = Sample(path);

        Assert.Equal(SampleStatus.Unsupported, result.Status);
        Assert.Contains("legacy two-level LIST", result.Reason);
    }

    [Theory]
    [InlineData("int96")]
    [InlineData("lz4hadoop")]
    [InlineData("v2")]
    public void Files_other_readers_read_are_sampled_or_unsupported_by_feature_never_damaged(string feature)
    {
        var path = Path.Combine(_temp.Path, feature + ".parquet");
        using (var builder = new WriterPropertiesBuilder())
        {
            if (feature == "lz4hadoop")
            {
                builder.Compression(Compression.Lz4Hadoop);
            }

            if (feature == "v2")
            {
                builder.DataPageVersion(ParquetDataPageVersion.V2);
                builder.DisableDictionary();
            }

            using var properties = builder.Build();
            Column[] columns = feature == "int96"
                ? [new Column<Int96>("t"), new Column<bool>("flag")]
                : [new Column<int>("n"), new Column<bool>("flag")];
            using var file = new ParquetFileWriter(path, columns, properties);
            using var group = file.AppendRowGroup();
            if (feature == "int96")
            {
                using var t = group.NextColumn().LogicalWriter<Int96>();
                t.WriteBatch(Enumerable.Range(0, 20).Select(i => new Int96(i, 0, 2_460_000)).ToArray());
            }
            else
            {
                using var n = group.NextColumn().LogicalWriter<int>();
                n.WriteBatch(Enumerable.Range(0, 20).ToArray());
            }

            using (var flag = group.NextColumn().LogicalWriter<bool>())
            {
                flag.WriteBatch(Enumerable.Range(0, 20).Select(i => i % 3 == 0).ToArray());
            }

            file.Close();
        }

        var result = Sample(path);
        var report = ParquetFileCheck.Inspect(path, deep: true);

        Assert.True(result.Status is SampleStatus.Sampled or SampleStatus.Unsupported, $"{result.Status}: {result.Reason}");
        Assert.True(report.Status is ParquetFileStatus.Valid or ParquetFileStatus.Unsupported, $"{report.Status}: {report.Problem}");
        if (result.Status == SampleStatus.Sampled)
        {
            Assert.Equal(10, result.Rows);
            Assert.Equal(10L, DuckDb.Scalar($"SELECT count(*) FROM read_parquet('{result.Sample}')"));
        }
    }
    [Theory]
    [InlineData("GEOMETRY")]
    [InlineData("GEOGRAPHY")]
    public void Geospatial_logical_types_are_kept_or_named_as_not_kept_in_the_result(string type)
    {
        // DuckDB writes the native GEOMETRY logical type; GEOGRAPHY is the same file with the LogicalType union's
        // field id changed from 17 to 18 in the footer (compact Thrift: a struct-typed field header 0x0C, then the
        // zigzag id 0x22 or 0x24, then the empty type struct's and the union's stops).
        var path = Path.Combine(_temp.Path, type.ToLowerInvariant() + ".parquet");
        DuckDb.Query($"COPY (SELECT range AS id, ('POINT(' || range || ' 2)')::GEOMETRY AS g FROM range(50)) TO '{path}' (FORMAT parquet, GEOPARQUET_VERSION 'V2')");
        if (type == "GEOGRAPHY")
        {
            var bytes = File.ReadAllBytes(path);
            var footerLength = BitConverter.ToInt32(bytes, bytes.Length - 8);
            var footer = bytes.AsSpan(bytes.Length - 8 - footerLength, footerLength);
            var at = footer.IndexOf((ReadOnlySpan<byte>)[0x0C, 0x22, 0x00, 0x00]);
            Assert.True(at >= 0, "the GEOMETRY logical type in the footer");
            footer[at + 1] = 0x24;
            File.WriteAllBytes(path, bytes);
        }

        Assert.Contains(type, LogicalTypeOf(path, "g"), StringComparison.OrdinalIgnoreCase);

        var result = Sample(path);

        Assert.True(result.Status == SampleStatus.Sampled, $"{result.Status}: {result.Reason}");
        Assert.Equal(10, result.Rows);
        if (!LogicalTypeOf(result.Sample!, "g").Contains(type, StringComparison.OrdinalIgnoreCase))
        {
            Assert.Contains($"g: {type} logical type written as", result.Reason);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), DuckDb.Query($"SELECT id FROM read_parquet('{result.Sample}')").Select(r => Convert.ToInt64(r[0])));
    }

    /// <summary>A column's logical type as DuckDB reads it from the footer (Arrow's reader through ParquetSharp does not
    /// know the geospatial ones).</summary>
    private static string LogicalTypeOf(string file, string column) =>
        DuckDb.Query($"SELECT logical_type FROM parquet_schema('{file}') WHERE name = '{column}'").Single()[0]?.ToString() ?? "";
}
