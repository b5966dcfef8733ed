using PipelineOps.Conversion;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Conversion;

/// <summary>A dataset has one schema: days that infer differently are written alike.</summary>
public sealed class DatasetSchemaTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Destination => Path.Combine(_dir.Path, "dataset");

    private string Dataset => DuckDb.Dataset(Destination);

    private ConversionResult Convert(string name, params string[] lines)
    {
        var source = _dir.File(Path.Combine("raw", name), string.Join("\n", lines) + "\n");
        using var run = ConversionRun.Open(new ConversionOptions { Destination = Destination });
        return run.Convert(source);
    }

    [Fact]
    public void A_day_whose_changes_have_a_numeric_leaf_is_still_a_list_of_text_and_reads_back_exactly()
    {
        Convert("level2_20251113.jsonl", """{"time":"2025-11-13T00:00:00Z","changes":[["buy","café, [x]","1"]]}""");
        var second = Convert("level2_20251114.jsonl",
            """{"time":"2025-11-14T00:00:00Z","changes":[["sell","café, [x]","2"]]}""",
            """{"time":"2025-11-14T00:00:01Z","changes":[["buy",91234.5,"3"]]}""");

        Assert.Equal(ConversionStatus.Converted, second.Status);
        Assert.Empty(second.SchemaChanges);
        Assert.Equal("VARCHAR[][]", DuckDb.Scalar($"select typeof(changes) from {Dataset} limit 1"));
        Assert.Equal(["café, [x]", "café, [x]", "91234.5"],
            DuckDb.Query($"select changes[1][2] from {Dataset} order by time").Select(r => r[0]));
        foreach (var file in Directory.GetFiles(Destination, "*.parquet", SearchOption.AllDirectories))
        {
            Assert.Contains("changes.list.element.list.element: String ByteArray", ArrowCpp.Schema(file));
        }
    }

    [Fact]
    public void Later_files_are_written_in_the_dataset_schema_and_a_widening_is_reported()
    {
        Convert("t_20251112.jsonl", """{"time":"2025-11-12T00:00:00Z","seq":1,"flag":true,"extra":"a"}""");
        var ints = Convert("t_20251113.jsonl", """{"time":"2025-11-13T00:00:00Z","seq":2,"flag":null}""");
        var doubles = Convert("t_20251114.jsonl", """{"time":"2025-11-14T00:00:00Z","seq":2.5}""");
        var after = Convert("t_20251115.jsonl", """{"time":"2025-11-15T00:00:00Z","seq":3}""");

        // A file is written in every column of the dataset, in its order; an all-null column takes the dataset's kind.
        Assert.Empty(ints.SchemaChanges);
        Assert.Equal(["time Int64", "seq Int64", "flag Boolean", "extra ByteArray"], Physical(Assert.Single(ints.Outputs)));

        // Int64 widened to Double: said once, and the files from then on are DOUBLE.
        Assert.Equal(["column 'seq' widened from Int64 to Double: files written before keep Int64"], doubles.SchemaChanges);
        Assert.Empty(after.SchemaChanges);
        Assert.Equal(["time Int64", "seq Double", "flag Boolean", "extra ByteArray"], Physical(Assert.Single(after.Outputs)));
        Assert.Equal([1.0, 2.0, 2.5, 3.0], DuckDb.Query($"select seq from {Dataset} order by time").Select(r => System.Convert.ToDouble(r[0])));

        // Test-ParquetFile's check names the files written before the widening.
        Assert.Equal(["column 'seq' is Int64 here, Double in the dataset schema"],
            ParquetFileCheck.Inspect(Assert.Single(ints.Outputs), deep: false).SchemaDifferences);
        Assert.Empty(ParquetFileCheck.Inspect(Assert.Single(after.Outputs), deep: true).SchemaDifferences);

        var schema = DatasetSchema.Load(Destination).Columns;
        Assert.Equal(["time Timestamp", "seq Double", "flag Boolean", "extra String"], schema.Select(c => $"{c.Name} {DatasetSchema.Describe(c)}"));
    }

    /// <summary>Each leaf column's name and physical type, as Arrow's reader sees them.</summary>
    private static List<string> Physical(string file) =>
        ArrowCpp.Schema(file).Select(s => s[..s.IndexOf(':', StringComparison.Ordinal)] + " " + s[(s.LastIndexOf(' ') + 1)..]).ToList();

    [Theory]
    [InlineData("Int64", "Double", "Double")]
    [InlineData("Int64", "String", "String")]
    [InlineData("Boolean", "Int64", "String")]
    [InlineData("Timestamp", "String", "String")]
    [InlineData("list of Int64", "list of String", "list of String")]
    [InlineData("list of Int64", "list of Double", "list of Double")]
    [InlineData("list of String", "list of lists of String", "Json")]
    [InlineData("Json", "String", "String")]
    public void Widening_takes_only_the_documented_safe_steps(string a, string b, string widened)
    {
        Assert.Equal(widened, DatasetSchema.Describe(DatasetSchema.Widen(Spec(a), Spec(b))));
        Assert.Equal(widened, DatasetSchema.Describe(DatasetSchema.Widen(Spec(b), Spec(a))));
    }

    private static ColumnSpec Spec(string text) => text switch
    {
        _ when text.StartsWith("list of lists of ", StringComparison.Ordinal) =>
            new ColumnSpec("c", ColumnKind.List, Enum.Parse<ColumnKind>(text["list of lists of ".Length..]), 2),
        _ when text.StartsWith("list of ", StringComparison.Ordinal) =>
            new ColumnSpec("c", ColumnKind.List, Enum.Parse<ColumnKind>(text["list of ".Length..]), 1),
        _ => new ColumnSpec("c", Enum.Parse<ColumnKind>(text)),
    };
}
