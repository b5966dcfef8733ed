using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>
/// A byte-array field with the name and levels of a string leaf, in a schema of its own, for writing that leaf's
/// values as the UTF-8 bytes they already are. Parquet.Net 6.1 takes string values only as UTF-16 and encodes them
/// back to UTF-8; a STRING column's values are plain UTF-8 byte arrays on disk either way, and a row group matches a
/// column to the file's schema by name, so the file still says STRING. The price: Parquet.Net keeps no min/max
/// statistics for byte arrays, so text columns carry null counts only.
/// </summary>
internal static class Utf8Twin
{
    /// <param name="leaf">The string leaf, already part of the file's schema.</param>
    /// <param name="shape">Builds the leaf's ancestors around a leaf as the file's schema has them (the leaf alone
    /// for a top-level column).</param>
    /// <param name="type">The CLR type the twin takes: byte arrays unless said otherwise.</param>
    public static DataField Of(DataField leaf, Func<DataField, Field> shape, Type? type = null)
    {
        var twin = new DataField(leaf.Name, type ?? typeof(byte[]), leaf.IsNullable);
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
