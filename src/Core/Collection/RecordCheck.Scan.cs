using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace PipelineOps.Collection;

/// <summary>
/// The plain scan of a common record: one object whose names and strings hold no escapes, numbers by the JSON grammar,
/// literals, and arrays and objects nested up to <see cref="MaxScanDepth"/>. It only ever says "a record, with these
/// fields" or "not sure": escapes, control characters, line breaks, deep nesting and every kind of damage go to the
/// reader, which decides and words the error, so the verdict stays the shared one (a test compares both on tricky and
/// on thousands of damaged lines).
/// <para>Two passes. The first reads the message 64 bytes at a time and keeps a bit per quote and per digit; it gives
/// up on a backslash or any byte below 0x20, so what is left has no escapes and a string simply runs from its quote
/// to the next one, and it checks UTF-8 only when a byte is not ASCII. The second walks the grammar, jumping over
/// strings and digit runs by those bits instead of reading them byte by byte. Together they cost about half of what
/// a byte-by-byte scan plus the separate UTF-8 and line-break checks did.</para>
/// </summary>
public static partial class RecordCheck
{
    /// <summary>Well below the shared rules' 64 levels, so nothing the scan accepts is too deep for the reader.</summary>
    private const int MaxScanDepth = 16;

    /// <summary>Messages up to 2 KB keep their bits on the stack; longer ones in a pooled array.</summary>
    private const int StackWords = 32;

    private static bool TryScan(ReadOnlyMemory<byte> message, Names names, out Fields fields)
    {
        var words = (message.Length + 63) >> 6;
        if (words <= StackWords)
        {
            return Scan(message, stackalloc ulong[2 * words], names, out fields);
        }

        // Only here a try block: around the hot path it would keep every local in memory.
        var rented = ArrayPool<ulong>.Shared.Rent(2 * words);
        try
        {
            return Scan(message, rented.AsSpan(0, 2 * words), names, out fields);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(rented);
        }
    }

    private static bool Scan(ReadOnlyMemory<byte> message, Span<ulong> bits, Names names, out Fields fields)
    {
        fields = default;
        var s = message.Span;
        var words = bits.Length / 2;
        var index = new Index(bits[..words], bits[words..], s.Length);
        Found found = default;
        if (!IndexBytes(s, in index) || !WalkRecord(s, in index, names, ref found))
        {
            return false;
        }

        fields = new Fields(found.Stream.Of(message), found.Time.Of(message), found.Sequence.Of(message));
        return true;
    }

    /// <summary>A bit per quote and per digit, 64 bytes to a word.</summary>
    private readonly ref struct Index(Span<ulong> quotes, Span<ulong> digits, int length)
    {
        public readonly Span<ulong> Quotes = quotes;
        public readonly Span<ulong> Digits = digits;
        public readonly int Length = length;

        /// <summary>The first quote at or after <paramref name="i"/>, or -1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int NextQuote(int i)
        {
            var w = i >> 6;
            if ((uint)w >= (uint)Quotes.Length)
            {
                return -1;
            }

            var rest = Quotes[w] & (~0UL << (i & 63));
            while (rest == 0)
            {
                if (++w >= Quotes.Length)
                {
                    return -1;
                }

                rest = Quotes[w];
            }

            return (w << 6) + BitOperations.TrailingZeroCount(rest); // bits past the end are never set
        }

        /// <summary>Past the digits that start at <paramref name="i"/> (<paramref name="i"/> itself when none do).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int PastDigits(int i)
        {
            var w = i >> 6;
            if ((uint)w >= (uint)Digits.Length)
            {
                return i;
            }

            var others = ~Digits[w] >> (i & 63); // a bit for each byte from i on that is not a digit
            while (others == 0)
            {
                if (++w >= Digits.Length)
                {
                    return Length;
                }

                i = w << 6;
                others = ~Digits[w];
            }

            return Math.Min(i + BitOperations.TrailingZeroCount(others), Length);
        }
    }

    /// <summary>Fills the index. False when the message holds a backslash or a byte below 0x20, or is not UTF-8.</summary>
    private static bool IndexBytes(ReadOnlySpan<byte> s, in Index index)
    {
        ulong stop = 0, high = 0;
        var full = s.Length >> 6;
        ref var start = ref MemoryMarshal.GetReference(s);
        for (var w = 0; w < full; w++)
        {
            index.Quotes[w] = Classify(ref Unsafe.Add(ref start, w << 6), ref stop, ref high, out index.Digits[w]);
        }

        var rest = s.Length & 63;
        if (rest != 0)
        {
            if (full > 0)
            {
                // The last 64 bytes, overlapping the block before: the bits of the bytes after that block are new.
                index.Quotes[full] = Classify(ref Unsafe.Add(ref start, s.Length - 64), ref stop, ref high, out var digits) >> (64 - rest);
                index.Digits[full] = digits >> (64 - rest);
            }
            else
            {
                // A short message, padded with spaces (neither quote, digit nor a stop).
                Span<byte> block = stackalloc byte[64];
                block.Fill((byte)' ');
                s.CopyTo(block);
                index.Quotes[0] = Classify(ref MemoryMarshal.GetReference(block), ref stop, ref high, out index.Digits[0]);
            }
        }

        return stop == 0 && (high == 0 || System.Text.Unicode.Utf8.IsValid(s));
    }

    /// <summary>One 64-byte block: its quote bits; its digit bits; stop and high gather backslashes and control bytes,
    /// and bytes above 0x7F.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Classify(ref byte block, ref ulong stop, ref ulong high, out ulong digits)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var v = Vector512.LoadUnsafe(ref block);
            stop |= (Vector512.Equals(v, Vector512.Create((byte)'\\')) | Vector512.LessThan(v, Vector512.Create((byte)0x20))).ExtractMostSignificantBits();
            high |= v.ExtractMostSignificantBits();
            digits = Vector512.LessThan(v - Vector512.Create((byte)'0'), Vector512.Create((byte)10)).ExtractMostSignificantBits();
            return Vector512.Equals(v, Vector512.Create((byte)'"')).ExtractMostSignificantBits();
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var quotes = Classify32(ref block, ref stop, ref high, out var low) | (Classify32(ref Unsafe.Add(ref block, 32), ref stop, ref high, out var up) << 32);
            digits = low | (up << 32);
            return quotes;
        }

        var q = Classify16(ref block, ref stop, ref high, out var d0) | (Classify16(ref Unsafe.Add(ref block, 16), ref stop, ref high, out var d1) << 16)
            | (Classify16(ref Unsafe.Add(ref block, 32), ref stop, ref high, out var d2) << 32) | (Classify16(ref Unsafe.Add(ref block, 48), ref stop, ref high, out var d3) << 48);
        digits = d0 | (d1 << 16) | (d2 << 32) | (d3 << 48);
        return q;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Classify32(ref byte at, ref ulong stop, ref ulong high, out ulong digits)
    {
        var v = Vector256.LoadUnsafe(ref at);
        stop |= (Vector256.Equals(v, Vector256.Create((byte)'\\')) | Vector256.LessThan(v, Vector256.Create((byte)0x20))).ExtractMostSignificantBits();
        high |= v.ExtractMostSignificantBits();
        digits = Vector256.LessThan(v - Vector256.Create((byte)'0'), Vector256.Create((byte)10)).ExtractMostSignificantBits();
        return Vector256.Equals(v, Vector256.Create((byte)'"')).ExtractMostSignificantBits();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Classify16(ref byte at, ref ulong stop, ref ulong high, out ulong digits)
    {
        var v = Vector128.LoadUnsafe(ref at);
        stop |= (Vector128.Equals(v, Vector128.Create((byte)'\\')) | Vector128.LessThan(v, Vector128.Create((byte)0x20))).ExtractMostSignificantBits();
        high |= v.ExtractMostSignificantBits();
        digits = Vector128.LessThan(v - Vector128.Create((byte)'0'), Vector128.Create((byte)10)).ExtractMostSignificantBits();
        return Vector128.Equals(v, Vector128.Create((byte)'"')).ExtractMostSignificantBits();
    }

    /// <summary>Where the wanted fields' values lie; a value's start and end are kept plus one, so 0 is absent.</summary>
    private struct Found
    {
        public Bounds Stream, Time, Sequence;

        public struct Bounds
        {
            public int Start, End;

            public void Set(int start, int end) => (Start, End) = (start + 1, end + 1);

            public readonly Value Of(ReadOnlyMemory<byte> message) => Start == 0 ? default : Value.Slice(message[(Start - 1)..(End - 1)]);
        }
    }

    /// <summary>The record's grammar over an indexed message: one object and nothing after it but spaces.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // one caller; without profile-guided jitting it stayed a call
    private static bool WalkRecord(ReadOnlySpan<byte> s, in Index index, Names names, ref Found found)
    {
        var i = Spaces(s, 0);
        if ((uint)i >= (uint)s.Length || s[i] != '{')
        {
            return false;
        }

        i = Spaces(s, i + 1);
        if ((uint)i < (uint)s.Length && s[i] == '}')
        {
            return Spaces(s, i + 1) == s.Length;
        }

        while (true)
        {
            if ((uint)i >= (uint)s.Length || s[i] != '"')
            {
                return false;
            }

            var nameStart = i + 1;
            var nameEnd = index.NextQuote(nameStart);
            if (nameEnd < 0)
            {
                return false;
            }

            i = Spaces(s, nameEnd + 1);
            if ((uint)i >= (uint)s.Length || s[i] != ':')
            {
                return false;
            }

            i = Spaces(s, i + 1);
            if ((uint)i >= (uint)s.Length)
            {
                return false;
            }

            // Strings and numbers are read; anything else leaves the field as it was (the last one wins).
            var start = i;
            if (s[i] == '"')
            {
                i = index.NextQuote(i + 1) + 1;
                if (i <= 0)
                {
                    return false;
                }

                Keep(s[nameStart..nameEnd], names, start + 1, i - 1, ref found);
            }
            else if (s[i] == '-' || IsDigit(s[i]))
            {
                i = NumberEnd(s, index, i);
                if (i < 0)
                {
                    return false;
                }

                Keep(s[nameStart..nameEnd], names, start, i, ref found);
            }
            else if ((i = SkipValue(s, index, i, 1)) < 0)
            {
                return false;
            }

            i = Spaces(s, i);
            if ((uint)i >= (uint)s.Length)
            {
                return false;
            }

            if (s[i] != ',')
            {
                return s[i] == '}' && Spaces(s, i + 1) == s.Length;
            }

            i = Spaces(s, i + 1);
        }
    }

    /// <summary>Notes a value's bounds when its name is a wanted one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(ReadOnlySpan<byte> name, Names names, int start, int end, ref Found found)
    {
        if (name.Length == names.Stream.Length && name.SequenceEqual(names.Stream))
        {
            found.Stream.Set(start, end);
        }
        else if (name.Length == names.Time.Length && name.SequenceEqual(names.Time))
        {
            found.Time.Set(start, end);
        }
        else if (name.Length == names.Sequence.Length && name.SequenceEqual(names.Sequence))
        {
            found.Sequence.Set(start, end);
        }
    }

    /// <summary>Past one value starting at <paramref name="i"/>, or -1 when not sure.</summary>
    private static int SkipValue(ReadOnlySpan<byte> s, in Index index, int i, int depth)
    {
        if ((uint)i >= (uint)s.Length)
        {
            return -1;
        }

        switch (s[i])
        {
            case (byte)'"':
                var end = index.NextQuote(i + 1);
                return end < 0 ? -1 : end + 1;
            case (byte)'t':
                return s[i..].StartsWith("true"u8) ? i + 4 : -1;
            case (byte)'f':
                return s[i..].StartsWith("false"u8) ? i + 5 : -1;
            case (byte)'n':
                return s[i..].StartsWith("null"u8) ? i + 4 : -1;
            case (byte)'[':
                return depth >= MaxScanDepth ? -1 : SkipArray(s, index, i + 1, depth + 1);
            case (byte)'{':
                return depth >= MaxScanDepth ? -1 : SkipObject(s, index, i + 1, depth + 1);
            default:
                return NumberEnd(s, index, i);
        }
    }

    private static int SkipArray(ReadOnlySpan<byte> s, in Index index, int i, int depth)
    {
        i = Spaces(s, i);
        if ((uint)i < (uint)s.Length && s[i] == ']')
        {
            return i + 1;
        }

        while (true)
        {
            i = SkipValue(s, index, i, depth);
            if (i < 0)
            {
                return -1;
            }

            i = Spaces(s, i);
            if ((uint)i >= (uint)s.Length)
            {
                return -1;
            }

            if (s[i] == ']')
            {
                return i + 1;
            }

            if (s[i] != ',')
            {
                return -1;
            }

            i = Spaces(s, i + 1);
        }
    }

    private static int SkipObject(ReadOnlySpan<byte> s, in Index index, int i, int depth)
    {
        i = Spaces(s, i);
        if ((uint)i < (uint)s.Length && s[i] == '}')
        {
            return i + 1;
        }

        while (true)
        {
            if ((uint)i >= (uint)s.Length || s[i] != '"' || index.NextQuote(i + 1) is var nameEnd && nameEnd < 0)
            {
                return -1;
            }

            i = Spaces(s, nameEnd + 1);
            if ((uint)i >= (uint)s.Length || s[i] != ':')
            {
                return -1;
            }

            i = SkipValue(s, index, Spaces(s, i + 1), depth);
            if (i < 0)
            {
                return -1;
            }

            i = Spaces(s, i);
            if ((uint)i >= (uint)s.Length)
            {
                return -1;
            }

            if (s[i] == '}')
            {
                return i + 1;
            }

            if (s[i] != ',')
            {
                return -1;
            }

            i = Spaces(s, i + 1);
        }
    }

    /// <summary>Past a number by the JSON grammar (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NumberEnd(ReadOnlySpan<byte> s, in Index index, int i)
    {
        if ((uint)i < (uint)s.Length && s[i] == '-')
        {
            i++;
        }

        if ((uint)i >= (uint)s.Length || !IsDigit(s[i]))
        {
            return -1;
        }

        i = s[i] == '0' ? i + 1 : index.PastDigits(i);
        if ((uint)i < (uint)s.Length && s[i] == '.')
        {
            if (index.PastDigits(i + 1) is var fraction && fraction == i + 1)
            {
                return -1;
            }

            i = fraction;
        }

        if ((uint)i < (uint)s.Length && (s[i] | 0x20) == 'e')
        {
            i++;
            if ((uint)i < (uint)s.Length && (s[i] == '+' || s[i] == '-'))
            {
                i++;
            }

            if (index.PastDigits(i) is var exponent && exponent == i)
            {
                return -1;
            }

            i = exponent;
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>Past spaces, the only whitespace left: the index sends tabs and line breaks to the reader.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Spaces(ReadOnlySpan<byte> s, int i)
    {
        while ((uint)i < (uint)s.Length && s[i] == ' ')
        {
            i++;
        }

        return i;
    }
}
