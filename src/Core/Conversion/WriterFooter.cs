using System.Reflection;
using Parquet;
using Parquet.Meta;

namespace PipelineOps.Conversion;

/// <summary>
/// The footer Parquet.Net 6.1 builds for a file it writes, reached before the footer is written, so that what the
/// library leaves out or gets wrong can be set right: min/max statistics for text and booleans (it keeps none), the
/// column orders that give min_value/max_value their meaning, and the legacy TIMESTAMP_MICROS converted type beside
/// the logical type for older readers. The library offers no public way to this object; the two private fields are
/// looked up once and a missing one fails loudly rather than writing files that mislead readers.
/// </summary>
internal static class WriterFooter
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;

    private static readonly FieldInfo Footer = typeof(ParquetWriter).GetField("_footer", Private)
        ?? throw new MissingFieldException("Parquet.Net's ParquetWriter no longer has the _footer this version was built against");

    private static readonly FieldInfo FileMeta = Footer.FieldType.GetField("_fileMeta", Private)
        ?? throw new MissingFieldException("Parquet.Net's ThriftFooter no longer has the _fileMeta this version was built against");

    /// <summary>The metadata the writer will write as its footer, with column orders and converted types set.</summary>
    public static FileMetaData Of(ParquetWriter writer)
    {
        var footer = Footer.GetValue(writer) ?? throw new InvalidOperationException("the Parquet writer has no footer yet");
        var meta = (FileMetaData)(FileMeta.GetValue(footer) ?? throw new InvalidOperationException("the Parquet footer has no metadata"));
        var leaves = 0;
        foreach (var element in meta.Schema.Where(e => e.Type is not null))
        {
            leaves++;
            if (element.LogicalType?.TIMESTAMP is { Unit.MICROS: not null, IsAdjustedToUTC: true })
            {
                element.ConvertedType = ConvertedType.TIMESTAMP_MICROS;
            }
        }

        // Every leaf's statistics follow its type's order: signed for numbers and timestamps, unsigned bytes for text.
        meta.ColumnOrders = Enumerable.Range(0, leaves).Select(_ => new ColumnOrder { TYPEORDER = new TypeDefinedOrder() }).ToList();
        return meta;
    }
}
