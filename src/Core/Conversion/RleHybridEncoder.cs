using System.Buffers.Binary;
using System.Buffers;
using System.Runtime.CompilerServices;

namespace PipelineOps.Conversion;

/// <summary>
/// Parquet's RLE/bit-packing hybrid encoding of small integers (definition and repetition levels, dictionary
/// indexes): a value repeated eight times or more becomes one run (a count and the value), everything else is packed
/// in groups of eight at <c>bitWidth</c> bits each, least significant bit first.
/// </summary>
internal static class RleHybridEncoder
{
    /// <summary>Groups of eight in one bit-packed run at most, as other writers keep them, so readers never meet a
    /// longer run than they expect.</summary>
    private const int MaxGroupsPerRun = 64;

    /// <summary>The bits needed for values up to <paramref name="max"/>; at least 1.</summary>
    public static int BitWidth(int max) => Math.Max(1, 32 - int.LeadingZeroCount(max));

    /// <summary>Levels as a v1 data page holds them: the encoded length as 4 little-endian bytes, then the runs.</summary>
    public static void EncodeWithLength(PageBuffer output, ReadOnlySpan<int> values, int bitWidth)
    {
        var lengthAt = output.Length;
        output.GetSpan(4);
        output.Advance(4);
        Encode(output, values, bitWidth);
        BinaryPrimitives.WriteInt32LittleEndian(output.Written.Slice(lengthAt, 4), output.Length - lengthAt - 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Encode(IBufferWriter<byte> output, ReadOnlySpan<int> values, int bitWidth)
    {
        var literalStart = 0;
        var i = 0;
        while (i < values.Length)
        {
            var value = values[i];
            var rest = values[i..].IndexOfAnyExcept(value);
            var run = rest < 0 ? values.Length - i : rest;
            if (run < 8)
            {
                i += run;
                continue;
            }

            // Literals before a run must fill whole groups of eight: the run lends them the values they lack.
            var lend = (8 - ((i - literalStart) % 8)) % 8;
            i += lend;
            run -= lend;
            Literals(output, values[literalStart..i], bitWidth);
            Run(output, value, run, bitWidth);
            i += run;
            literalStart = i;
        }

        Literals(output, values[literalStart..], bitWidth); // the last group padded with zeros
    }

    private static void Run(IBufferWriter<byte> output, int value, int count, int bitWidth)
    {
        if (count == 0)
        {
            return;
        }

        Varint(output, (uint)count << 1);
        var bytes = (bitWidth + 7) / 8;
        var span = output.GetSpan(4);
        BinaryPrimitives.WriteInt32LittleEndian(span, value);
        output.Advance(bytes);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Literals(IBufferWriter<byte> output, ReadOnlySpan<int> values, int bitWidth)
    {
        while (!values.IsEmpty)
        {
            var groups = Math.Min(MaxGroupsPerRun, (values.Length + 7) / 8);
            var taken = Math.Min(values.Length, groups * 8);
            Varint(output, ((uint)groups << 1) | 1);
            var span = output.GetSpan(groups * bitWidth);
            ulong pending = 0;
            var bits = 0;
            var at = 0;
            for (var j = 0; j < groups * 8; j++)
            {
                pending |= (ulong)(uint)(j < taken ? values[j] : 0) << bits;
                bits += bitWidth;
                while (bits >= 8)
                {
                    span[at++] = (byte)pending;
                    pending >>= 8;
                    bits -= 8;
                }
            }

            output.Advance(at);
            values = values[taken..];
        }
    }

    private static void Varint(IBufferWriter<byte> output, uint value)
    {
        var span = output.GetSpan(5);
        var at = 0;
        while (value >= 0x80)
        {
            span[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[at++] = (byte)value;
        output.Advance(at);
    }
}
