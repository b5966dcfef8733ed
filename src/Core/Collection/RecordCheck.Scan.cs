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
        var indexed = Vector512.IsHardwareAccelerated ? IndexBytes<Bits512>(s, in index)
            : Vector256.IsHardwareAccelerated ? IndexBytes<Bits256>(s, in index)
            : IndexBytes<Bits128>(s, in index);
        if (!indexed || !WalkRecord(s, in index, names, ref found))
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
            var (rest, word) = QuotesFrom(i);
            return RecordCheck.NextQuote(Quotes, ref rest, ref word);
        }

        /// <summary>A quote cursor (see <see cref="RecordCheck.NextQuote"/>) at the first quote at or after
        /// <paramref name="i"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (ulong Left, int Word) QuotesFrom(int i)
        {
            var word = Math.Min(i >> 6, Quotes.Length - 1);
            return (i >> 6 == word ? Quotes[word] & (~0UL << (i & 63)) : 0, word); // past the end: none left
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IndexBytes<TBits>(ReadOnlySpan<byte> s, in Index index)
        where TBits : struct, IBlockBits
    {
        ulong stop = 0, high = 0;
        var full = s.Length >> 6;
        ref var start = ref MemoryMarshal.GetReference(s);
        for (var w = 0; w < full; w++)
        {
            ref var block = ref Unsafe.Add(ref start, w << 6);
            index.Quotes[w] = TBits.Equal(ref block, (byte)'"');
            index.Digits[w] = TBits.InRange(ref block, (byte)'0', 10);
            stop |= TBits.Equal(ref block, (byte)'\\') | TBits.InRange(ref block, 0, 0x20);
            high |= TBits.High(ref block);
        }

        var rest = s.Length & 63;
        if (rest != 0)
        {
            var shift = 64 - rest;
            scoped Span<byte> padded = stackalloc byte[64];
            scoped ref var block = ref MemoryMarshal.GetReference(padded);
            if (full == 0)
            {
                // A short message, padded in front with spaces (neither quote, digit nor a stop). Never a reference
                // before the message's first byte: the garbage collector could take it for another object's.
                padded.Fill((byte)' ');
                s.CopyTo(padded[shift..]);
            }
            else
            {
                block = ref Unsafe.Add(ref start, s.Length - 64);
            }

            // The last 64 bytes, overlapping the block before: the bits of the bytes after that block are new.
            index.Quotes[full] = TBits.Equal(ref block, (byte)'"') >> shift;
            index.Digits[full] = TBits.InRange(ref block, (byte)'0', 10) >> shift;
            stop |= TBits.Equal(ref block, (byte)'\\') | TBits.InRange(ref block, 0, 0x20);
            high |= TBits.High(ref block);
        }

        return stop == 0 && (high == 0 || System.Text.Unicode.Utf8.IsValid(s));
    }

    /// <summary>The next quote's position, or -1 past the last: the quotes in order, read off their bits. Each step
    /// waits only on the step before it (one bit cleared), never on the walk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NextQuote(Span<ulong> quotes, ref ulong rest, ref int word)
    {
        while (rest == 0)
        {
            if (word + 1 >= quotes.Length)
            {
                return -1;
            }

            rest = quotes[++word];
        }

        var at = (word << 6) + BitOperations.TrailingZeroCount(rest);
        rest &= rest - 1;
        return at;
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
    /// <remarks>Names and string values take their quotes from a cursor over the quote bits, in turn (the next quote
    /// is a string's end, as nothing is escaped), so where a field's strings lie does not wait on where the field
    /// before it ended: that is only checked against. The processor can then work on several fields at once; finding
    /// each quote from the last value's end made one long chain of steps, most of the walk's time.</remarks>
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

        var quoteBits = index.Quotes;
        var (rest, word) = index.QuotesFrom(0); // the quotes not yet taken, of block `word`
        while (true)
        {
            var nameOpen = NextQuote(quoteBits, ref rest, ref word);
            var nameEnd = NextQuote(quoteBits, ref rest, ref word);
            if (nameOpen != i || nameEnd < 0)
            {
                return false; // the name's opening quote is the next one, here
            }

            var nameStart = nameOpen + 1;
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
                var open = NextQuote(quoteBits, ref rest, ref word);
                var end = NextQuote(quoteBits, ref rest, ref word);
                if (open != i || end < 0)
                {
                    return false;
                }

                Keep(s, nameStart, nameEnd, names, open + 1, end, ref found);
                i = end + 1;
            }
            else if (s[i] == '-' || IsDigit(s[i]))
            {
                i = NumberEnd(s, index, i);
                if (i < 0)
                {
                    return false;
                }

                Keep(s, nameStart, nameEnd, names, start, i, ref found);
            }
            else if ((i = SkipValue(s, index, i, 1)) < 0)
            {
                return false;
            }
            else
            {
                (rest, word) = index.QuotesFrom(i); // past the quotes of an array or object value
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

    /// <summary>Notes a value's bounds when its name (from <paramref name="nameStart"/> to <paramref name="nameEnd"/>)
    /// is a wanted one. A name's first eight bytes are compared as one number, so a short name costs no call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(ReadOnlySpan<byte> s, int nameStart, int nameEnd, Names names, int start, int end, ref Found found)
    {
        var length = nameEnd - nameStart;
        if (((names.Lengths >> Math.Min(length, 63)) & 1) == 0)
        {
            return; // most names: no wanted name is as long
        }

        var head = nameStart + 8 <= s.Length ? Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(s), nameStart)) : 0;
        if (Is(s, nameStart, length, head, names.Stream, names.StreamHead))
        {
            found.Stream.Set(start, end);
        }
        else if (Is(s, nameStart, length, head, names.Time, names.TimeHead))
        {
            found.Time.Set(start, end);
        }
        else if (Is(s, nameStart, length, head, names.Sequence, names.SequenceHead))
        {
            found.Sequence.Set(start, end);
        }
    }

    /// <param name="head">The eight bytes from <paramref name="at"/>, or 0 when fewer are left.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Is(ReadOnlySpan<byte> s, int at, int length, ulong head, byte[] wanted, Names.Head wantedHead)
    {
        if (length != wanted.Length)
        {
            return false;
        }

        if (at + 8 > s.Length)
        {
            return s.Slice(at, length).SequenceEqual(wanted);
        }

        return (head & wantedHead.Mask) == wantedHead.Bytes && (length <= 8 || s.Slice(at + 8, length - 8).SequenceEqual(wanted.AsSpan(8)));
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
