using System.Reflection;
using Parquet;
using Parquet.Data;
using Parquet.Schema;
using PipelineOps.Conversion;

namespace PipelineOps.Staging.Sampling;

/// <summary>A Parquet source the sampler cannot cut faithfully: a feature it lacks, or more memory than the budget.
/// The source may be perfectly valid; the result says Unsupported and names why.</summary>
public sealed class UnsupportedParquetException(string message) : IOException(message);

/// <summary>
/// A Parquet sample: the first rows, with the source's schema and key-value metadata, read from only the row groups
/// that hold them. Columns are copied at the level of values and definition/repetition levels, so nested lists and
/// structs are cut at a row boundary and come through as they were.
/// Before anything is decoded the footer's declared sizes are checked against the file and the memory budget
/// (<see cref="ParquetFooter"/>). After writing, the sample is read back: its row count, its schema (physical and
/// logical types, repetition) against the source's footer, and every value and level against what was taken from the
/// source. A logical type the writer cannot keep is named in the note; anything else that differs fails the sample.
/// </summary>
public static class ParquetSample
{
    private const long MaxFooterBytes = 64L << 20;
    private static readonly MethodInfo TakeMethod = typeof(ParquetSample).GetMethod(nameof(Take), BindingFlags.NonPublic | BindingFlags.Static)!;

    public readonly record struct Outcome(long Rows, string? Note);

    /// <exception cref="UnsupportedParquetException">The source uses something the sample cannot keep or decode.</exception>
    /// <exception cref="EncryptedParquetException">The source is encrypted.</exception>
    public static Outcome Copy(Stream source, Stream sample, SampleOptions options, CancellationToken cancellationToken) =>
        CopyAsync(source, sample, options, cancellationToken).GetAwaiter().GetResult();

    private sealed record Taken(DataField Field, Array Values, int[]? Definitions, int[]? Repetitions);

    private static async Task<Outcome> CopyAsync(Stream source, Stream sample, SampleOptions options, CancellationToken cancellationToken)
    {
        var footer = ParquetFooter.Read(source, MaxFooterBytes);
        if (footer.EncryptedColumns)
        {
            throw new EncryptedParquetException("encrypted Parquet (plaintext footer, encrypted columns): its data cannot be read without its keys");
        }

        if (ParquetSchemaRules.LegacyList(footer.Schema) is { } legacy)
        {
            throw new UnsupportedParquetException($"column {legacy} uses the legacy two-level LIST structure, which the sample writer cannot keep");
        }

        var needed = new List<int>();
        long covered = 0;
        for (var g = 0; g < footer.RowGroups.Count && covered < options.Rows; g++)
        {
            needed.Add(g);
            covered += footer.RowGroups[g].Rows;
        }

        try
        {
            footer.CheckPages(source, needed, options.MaxMemoryBytes, cancellationToken);
        }
        catch (OverBudgetException e)
        {
            throw new UnsupportedParquetException("not decoded: " + e.Message);
        }

        source.Position = 0;
        var taken = new List<Taken>[needed.Count];
        long rows = 0;
        await using (var reader = await ParquetReader.CreateAsync(source, leaveStreamOpen: true, cancellationToken: cancellationToken))
        {
            var fields = reader.Schema.GetDataFields();
            await using var writer = await ParquetWriter.CreateAsync(reader.Schema, sample, cancellationToken: cancellationToken);
            writer.CustomMetadata = reader.CustomMetadata;
            foreach (var g in needed)
            {
                using var group = reader.OpenRowGroupReader(g);
                var want = (int)Math.Min(options.Rows - rows, group.RowCount);
                if (want <= 0)
                {
                    continue;
                }

                using var output = writer.CreateRowGroup();
                taken[g] = [];
                for (var c = 0; c < fields.Length; c++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var field = fields[c];
                    Taken part;
                    try
                    {
                        using var raw = await group.ReadRawColumnDataBaseAsync(field, cancellationToken);
                        part = Invoke<Taken>(TakeMethod.MakeGenericMethod(field.ClrType), raw, field, want);
                        await Write(output, part, cancellationToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        var features = c < footer.RowGroups[g].Columns.Count
                            ? ParquetFeatures.Of(footer.RowGroups[g].Columns[c], footer.PageTypes(source, g, c))
                            : [];
                        if (features.Count > 0 || e is NotSupportedException)
                        {
                            throw new UnsupportedParquetException($"column {field.Path} uses {(features.Count > 0 ? string.Join(", ", features) : "a feature")}, " +
                                                                  $"which this reader cannot decode ({e.Message})");
                        }

                        throw;
                    }

                    taken[g].Add(part);
                }

                output.CompleteValidate();
                rows += want;
            }
        }

        var note = await Verify(sample, footer, taken.Where(t => t is not null).ToArray(), rows, cancellationToken);
        return new Outcome(rows, note);
    }

    private static T Invoke<T>(MethodInfo method, params object[] arguments)
    {
        try
        {
            return (T)method.Invoke(null, arguments)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    /// <summary>The values and levels of the first <paramref name="rows"/> rows of a column.</summary>
    private static Taken Take<T>(RawColumnData raw, DataField field, int rows)
        where T : struct
    {
        var values = ((RawColumnData<T>)raw).Values;
        var definitions = field.MaxDefinitionLevel > 0 ? raw.DefinitionLevels : [];
        var repetitions = field.MaxRepetitionLevel > 0 ? raw.RepetitionLevels : [];

        // Levels of the first `rows` rows: a row starts at every repetition level 0.
        var levels = rows;
        if (!repetitions.IsEmpty)
        {
            var started = 0;
            levels = repetitions.Length;
            for (var i = 0; i < repetitions.Length; i++)
            {
                if (repetitions[i] == 0 && started++ == rows)
                {
                    levels = i;
                    break;
                }
            }
        }

        var count = levels;
        if (!definitions.IsEmpty)
        {
            count = 0;
            foreach (var level in definitions[..levels])
            {
                if (level == field.MaxDefinitionLevel)
                {
                    count++;
                }
            }
        }

        if (count > values.Length)
        {
            throw new InvalidDataException($"column {field.Path}: {count} values are defined in the first {rows} rows, {values.Length} were decoded");
        }

        var kept = values[..count].ToArray();
        // Text and binary values point into the reader's pooled buffers: keep copies, to compare after the read.
        if (kept is ReadOnlyMemory<byte>[] bytes)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = bytes[i].ToArray();
            }
        }
        else if (kept is ReadOnlyMemory<char>[] text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                text[i] = text[i].ToArray();
            }
        }

        return new Taken(field, kept,
            definitions.IsEmpty ? null : definitions[..levels].ToArray(),
            repetitions.IsEmpty ? null : repetitions[..levels].ToArray());
    }

    private static Task Write(ParquetRowGroupWriter output, Taken part, CancellationToken cancellationToken) =>
        Invoke<Task>(WriteMethod.MakeGenericMethod(part.Field.ClrType), output, part, cancellationToken);

    private static readonly MethodInfo WriteMethod = typeof(ParquetSample).GetMethod(nameof(WriteTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    // A column without levels (REQUIRED, not nested) goes through WriteAsync: WriteAllPartsAsync without levels leaves
    // the row group's row count at 0 (Parquet.Net 6.1), and the sample would hold no rows.
    private static Task WriteTyped<T>(ParquetRowGroupWriter output, Taken part, CancellationToken cancellationToken)
        where T : struct =>
        part.Definitions is null && part.Repetitions is null
            ? output.WriteAsync(part.Field, new ReadOnlyMemory<T>((T[])part.Values), null, null, cancellationToken)
            : output.WriteAllPartsAsync(part.Field, new ReadOnlyMemory<T>((T[])part.Values),
            part.Definitions is null ? null : new ReadOnlyMemory<int>(part.Definitions),
            part.Repetitions is null ? null : new ReadOnlyMemory<int>(part.Repetitions),
            cancellationToken);

    /// <summary>Reads the sample back: rows, schema against the source's footer, values and levels against what was taken.</summary>
    /// <returns>A note naming logical types the sample could not keep, or null.</returns>
    private static async Task<string?> Verify(Stream sample, ParquetFooter source, List<Taken>[] taken, long rows, CancellationToken cancellationToken)
    {
        sample.Flush();
        sample.Position = 0;
        var written = ParquetFooter.Read(sample, MaxFooterBytes);
        var note = ParquetSchemaRules.Compare(source.Schema, written.Schema);
        var footerRows = written.RowGroups.Sum(g => g.Rows);
        if (footerRows != rows)
        {
            throw new InvalidDataException($"the sample holds {footerRows} rows where {rows} were written");
        }

        sample.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(sample, leaveStreamOpen: true, cancellationToken: cancellationToken);
        if (reader.RowGroupCount != taken.Length)
        {
            throw new InvalidDataException($"the sample has {reader.RowGroupCount} row groups where {taken.Length} were written");
        }

        var fields = reader.Schema.GetDataFields();
        for (var g = 0; g < taken.Length; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            for (var c = 0; c < fields.Length; c++)
            {
                var expected = taken[g][c];
                using var raw = await group.ReadRawColumnDataBaseAsync(fields[c], cancellationToken);
                var actual = Invoke<Taken>(TakeMethod.MakeGenericMethod(fields[c].ClrType), raw, fields[c], (int)group.RowCount);
                if (!SameArray(expected.Values, actual.Values) || !SameLevels(expected.Definitions, actual.Definitions)
                    || !SameLevels(expected.Repetitions, actual.Repetitions))
                {
                    throw new InvalidDataException($"column {fields[c].Path} reads back differently from the source's first rows " +
                                                   $"({expected.Values.Length} values and {expected.Definitions?.Length ?? 0} levels written, {actual.Values.Length} and {actual.Definitions?.Length ?? 0} read)");
                }
            }
        }

        sample.Position = sample.Length;
        return note;
    }

    private static bool SameLevels(int[]? a, int[]? b) => (a ?? []).AsSpan().SequenceEqual(b ?? []);

    private static bool SameArray(Array a, Array b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            var same = (a.GetValue(i), b.GetValue(i)) switch
            {
                (ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span),
                (ReadOnlyMemory<char> x, ReadOnlyMemory<char> y) => x.Span.SequenceEqual(y.Span),
                (Memory<byte> x, Memory<byte> y) => x.Span.SequenceEqual(y.Span),
                (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
                var (x, y) => Equals(x, y),
            };
            if (!same)
            {
                return false;
            }
        }

        return true;
    }
}
