using System.Reflection;
using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// A Parquet sample: the first rows, with the source's schema and key-value metadata, read from only the row groups
/// that hold them. Columns are copied at the level of values and definition/repetition levels, so nested lists and
/// structs are cut at a row boundary and come through as they were.
/// </summary>
public static class ParquetSample
{
    private static readonly MethodInfo CopyColumnMethod = typeof(ParquetSample).GetMethod(nameof(CopyColumn), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static long Copy(Stream source, Stream sample, int rows, CancellationToken cancellationToken) =>
        CopyAsync(source, sample, rows, cancellationToken).GetAwaiter().GetResult();

    private static async Task<long> CopyAsync(Stream source, Stream sample, int rows, CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(source, cancellationToken: cancellationToken);
        var fields = reader.Schema.GetDataFields();
        await using var writer = await ParquetWriter.CreateAsync(reader.Schema, sample, cancellationToken: cancellationToken);
        writer.CustomMetadata = reader.CustomMetadata;
        long taken = 0;
        for (var g = 0; g < reader.RowGroupCount && taken < rows; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var want = (int)Math.Min(rows - taken, group.RowCount);
            if (want == 0)
            {
                continue;
            }

            using var output = writer.CreateRowGroup();
            foreach (var field in fields)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var raw = await group.ReadRawColumnDataBaseAsync(field, cancellationToken);
                Task copy;
                try
                {
                    copy = (Task)CopyColumnMethod.MakeGenericMethod(field.ClrType).Invoke(null, [raw, field, output, want, cancellationToken])!;
                }
                catch (TargetInvocationException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                    throw;
                }

                await copy;
            }

            output.CompleteValidate();
            taken += want;
        }

        return taken;
    }

    private static Task CopyColumn<T>(RawColumnData raw, DataField field, ParquetRowGroupWriter output, int rows, CancellationToken cancellationToken)
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

        return output.WriteAllPartsAsync(field, new ReadOnlyMemory<T>(values[..count].ToArray()),
            definitions.IsEmpty ? null : new ReadOnlyMemory<int>(definitions[..levels].ToArray()),
            repetitions.IsEmpty ? null : new ReadOnlyMemory<int>(repetitions[..levels].ToArray()),
            cancellationToken);
    }
}
