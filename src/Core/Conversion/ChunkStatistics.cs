using System.Runtime.CompilerServices;
using Parquet.Meta;

namespace PipelineOps.Conversion;

/// <summary>
/// The min/max statistics of a column chunk: the exact range of numbers and times (signed), of text (by unsigned
/// bytes, which for UTF-8 is code point order) and of booleans, and none at all for a chunk without values. Text
/// longer than <see cref="MaxBytes"/> is cut: the minimum to a
/// prefix, the maximum to a prefix whose last byte is raised, both marked inexact, so a reader still prunes safely.
/// </summary>
internal static class ChunkStatistics
{
    public const int MaxBytes = 64;

    public static void SetText(ColumnChunk chunk, in Utf8Range range)
    {
        var statistics = StatisticsOf(chunk);
        if (!range.Any)
        {
            NoRange(statistics);
            return;
        }

        var min = range.Min.Span;
        statistics.MinValue = min.Length <= MaxBytes ? min.ToArray() : min[..MaxBytes].ToArray();
        statistics.IsMinValueExact = min.Length <= MaxBytes;
        statistics.MaxValue = range.Max.Length <= MaxBytes ? range.Max.ToArray() : UpperBound(range.Max.Span);
        statistics.IsMaxValueExact = statistics.MaxValue is null ? null : range.Max.Length <= MaxBytes;

        // The legacy fields are ordered as signed bytes: left out for text rather than written in another order.
        statistics.Min = null;
        statistics.Max = null;
    }

    public static void SetBoolean(ColumnChunk chunk, bool anyFalse, bool anyTrue)
    {
        var statistics = StatisticsOf(chunk);
        if (!anyFalse && !anyTrue)
        {
            NoRange(statistics);
            return;
        }

        // PLAIN-encoded single booleans, as other writers store them: false before true.
        statistics.MinValue = statistics.Min = [(byte)(anyFalse ? 0 : 1)];
        statistics.MaxValue = statistics.Max = [(byte)(anyTrue ? 1 : 0)];
    }

    /// <summary>INT64 values (times as their microseconds): their range in signed order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SetInt64(ColumnChunk chunk, ReadOnlySpan<long> values)
    {
        var statistics = StatisticsOf(chunk);
        if (values.IsEmpty)
        {
            NoRange(statistics);
            return;
        }

        long min = values[0], max = values[0];
        foreach (var value in values)
        {
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        statistics.MinValue = statistics.Min = BitConverter.GetBytes(min);
        statistics.MaxValue = statistics.Max = BitConverter.GetBytes(max);
    }

    /// <summary>DOUBLE values: their range, NaN left out, and a zero bound written as -0.0 (a minimum) or +0.0 (a
    /// maximum), as the format asks, so readers that compare signed zeros prune safely.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SetDouble(ColumnChunk chunk, ReadOnlySpan<double> values)
    {
        var statistics = StatisticsOf(chunk);
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        var any = false;
        foreach (var value in values)
        {
            if (!double.IsNaN(value))
            {
                any = true;
                min = Math.Min(min, value);
                max = Math.Max(max, value);
            }
        }

        if (!any)
        {
            NoRange(statistics);
            return;
        }

        statistics.MinValue = statistics.Min = BitConverter.GetBytes(min == 0 ? -0.0 : min);
        statistics.MaxValue = statistics.Max = BitConverter.GetBytes(max == 0 ? 0.0 : max);
    }

    private static Statistics StatisticsOf(ColumnChunk chunk) =>
        chunk.MetaData!.Statistics ??= new Statistics();

    private static void NoRange(Statistics statistics)
    {
        statistics.Min = statistics.Max = statistics.MinValue = statistics.MaxValue = null;
        statistics.IsMinValueExact = statistics.IsMaxValueExact = null;
    }

    /// <summary>The shortest prefix (up to MaxBytes) raised in its last byte that sorts after every value with this start.</summary>
    private static byte[]? UpperBound(ReadOnlySpan<byte> max)
    {
        var bound = max[..MaxBytes].ToArray();
        for (var i = bound.Length - 1; i >= 0; i--)
        {
            if (bound[i] != 0xFF)
            {
                bound[i]++;
                return bound[..(i + 1)];
            }
        }

        return null; // all 0xFF: no shorter bound exists, so no maximum is written
    }
}

/// <summary>The smallest and largest UTF-8 value seen, as slices valid while the values are.</summary>
internal struct Utf8Range
{
    public ReadOnlyMemory<byte> Min;
    public ReadOnlyMemory<byte> Max;
    public bool Any;

    public void Observe(ReadOnlyMemory<byte> value)
    {
        if (!Any)
        {
            Min = Max = value;
            Any = true;
            return;
        }

        var span = value.Span;
        if (span.SequenceCompareTo(Min.Span) < 0)
        {
            Min = value;
        }
        else if (span.SequenceCompareTo(Max.Span) > 0)
        {
            Max = value;
        }
    }

    public void Clear() => this = default;
}
