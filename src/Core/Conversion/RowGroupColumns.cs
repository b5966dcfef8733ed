using System.Reflection;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>
/// Adds to a Parquet.Net row group a column chunk the converter wrote into the file itself (see
/// <see cref="ChunkWriter"/>), in the place the schema gives it, as if the library had written it: the chunk joins
/// the row group's metadata, the writer moves on to the next column, and the row count is set or checked. Parquet.Net
/// 6.1 offers no public way to do this; its three private members are looked up once and a missing one fails loudly
/// rather than writing a wrong file.
/// </summary>
internal static class RowGroupColumns
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;

    private static readonly FieldInfo ColumnIndex = Find(typeof(ParquetRowGroupWriter).GetField("_colIdx", Private), "_colIdx");

    private static readonly FieldInfo Schema = Find(typeof(ParquetRowGroupWriter).GetField("_thschema", Private), "_thschema");

    private static readonly FieldInfo Group = Find(typeof(ParquetRowGroupWriter).GetField("_owGroup", Private), "_owGroup");

    private static readonly PropertyInfo RowCount = Find(typeof(ParquetRowGroupWriter).GetProperty("RowCount", Private), "RowCount");

    /// <summary>Checks that <paramref name="leaf"/>, of <paramref name="physical"/> type, is the column the row group
    /// expects next.</summary>
    public static void CheckNext(ParquetRowGroupWriter rowGroup, DataField leaf, Parquet.Meta.Type physical)
    {
        var index = (int)ColumnIndex.GetValue(rowGroup)!;
        var schema = (SchemaElement[])Schema.GetValue(rowGroup)!;
        if (index >= schema.Length || schema[index].Name != leaf.Name || schema[index].Type != physical)
        {
            var expected = index < schema.Length ? $"'{schema[index].Name}' ({schema[index].Type})" : "no more columns";
            throw new InvalidOperationException($"the row group expects {expected} next, not '{leaf.Path}' ({physical})");
        }
    }

    /// <summary>Records <paramref name="chunk"/>, holding <paramref name="rows"/> rows, as the next column.</summary>
    public static void Add(ParquetRowGroupWriter rowGroup, ColumnChunk chunk, long rows)
    {
        var count = (long?)RowCount.GetValue(rowGroup);
        if (count is { } expected && expected != rows)
        {
            throw new InvalidOperationException($"a column chunk of {rows} rows in a row group of {expected}");
        }

        RowCount.SetValue(rowGroup, rows);
        ((RowGroup)Group.GetValue(rowGroup)!).Columns.Add(chunk);
        ColumnIndex.SetValue(rowGroup, (int)ColumnIndex.GetValue(rowGroup)! + 1);
    }

    private static T Find<T>(T? member, string name)
        where T : MemberInfo =>
        member ?? throw new MissingMemberException($"Parquet.Net's ParquetRowGroupWriter no longer has the {name} this version was built against");
}
