using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>
/// A field with the name and levels of a schema leaf but another CLR type, in a schema of its own, for writing that
/// leaf's values as they are on disk: a row group matches a column to the file's schema by name, so the file keeps the
/// leaf's own type. Times go through an INT64 twin as their microseconds (see ColumnBuffer.Timestamp).
/// </summary>
internal static class Utf8Twin
{
    /// <param name="leaf">The string leaf, already part of the file's schema.</param>
    /// <param name="shape">Builds the leaf's ancestors around a leaf as the file's schema has them (the leaf alone
    /// for a top-level column).</param>
    /// <param name="type">The CLR type the twin takes.</param>
    public static DataField Of(DataField leaf, Func<DataField, Field> shape, Type type)
    {
        var twin = new DataField(leaf.Name, type, leaf.IsNullable);
        _ = new ParquetSchema(shape(twin)); // attaches it and works out its levels
        if (twin.MaxDefinitionLevel != leaf.MaxDefinitionLevel || twin.MaxRepetitionLevel != leaf.MaxRepetitionLevel)
        {
            throw new InvalidOperationException(
                $"the byte-array twin of '{leaf.Path}' has levels {twin.MaxDefinitionLevel}/{twin.MaxRepetitionLevel}, " +
                $"the column {leaf.MaxDefinitionLevel}/{leaf.MaxRepetitionLevel}");
        }

        return twin;
    }
}
