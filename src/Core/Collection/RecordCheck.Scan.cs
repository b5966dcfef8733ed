using System.Numerics;
using System.Runtime.Intrinsics;

namespace PipelineOps.Collection;

/// <summary>
/// The plain scan of a common record: one object whose names and strings hold no escapes, numbers by the JSON grammar,
/// literals, and arrays and objects nested up to <see cref="MaxScanDepth"/>. It only ever says "a record, with these
/// fields" or "not sure": escapes, deep nesting and every kind of damage go to the reader, which decides and words
/// the error, so the verdict stays the shared one (a test compares both on tricky and on thousands of damaged lines).
/// About three times faster than the reader on market-data records, which made it most of the collector's work.
/// </summary>
public static partial class RecordCheck
{
    /// <summary>Well below the shared rules' 64 levels, so nothing the scan accepts is too deep for the reader.</summary>
    private const int MaxScanDepth = 16;

    private static bool TryScan(ReadOnlyMemory<byte> message, Names names, out Fields fields)
    {
        fields = default;
        var s = message.Span;
        var i = SkipSpace(s, 0);
        if (i >= s.Length || s[i] != '{')
        {
            return false;
        }

        Value stream = default, time = default, sequence = default;
        i = SkipSpace(s, i + 1);
        if (i < s.Length && s[i] == '}')
        {
            i++;
        }
        else
        {
            while (true)
            {
                if (i >= s.Length || s[i] != '"' || StringEnd(s, i + 1) is var nameEnd && nameEnd < 0)
                {
                    return false;
                }

                var name = s[(i + 1)..nameEnd];
                i = SkipSpace(s, nameEnd + 1);
                if (i >= s.Length || s[i] != ':')
                {
                    return false;
                }

                i = SkipSpace(s, i + 1);
                var start = i;
                i = SkipValue(s, i, 1);
                if (i < 0)
                {
                    return false;
                }

                // Strings and numbers are read; anything else leaves the field as it was (the last one wins).
                var first = s[start];
                if (first == '"' || first == '-' || char.IsAsciiDigit((char)first))
                {
                    var wanted = name.SequenceEqual(names.Stream) ? 1 : name.SequenceEqual(names.Time) ? 2 : name.SequenceEqual(names.Sequence) ? 3 : 0;
                    if (wanted != 0)
                    {
                        var value = first == '"' ? Value.Slice(message[(start + 1)..(i - 1)]) : Value.Slice(message[start..i]);
                        switch (wanted)
                        {
                            case 1: stream = value; break;
                            case 2: time = value; break;
                            default: sequence = value; break;
                        }
                    }
                }

                i = SkipSpace(s, i);
                if (i < s.Length && s[i] == ',')
                {
                    i = SkipSpace(s, i + 1);
                    continue;
                }

                if (i < s.Length && s[i] == '}')
                {
                    i++;
                    break;
                }

                return false;
            }
        }

        if (SkipSpace(s, i) != s.Length)
        {
            return false;
        }

        fields = new Fields(stream, time, sequence);
        return true;
    }

    /// <summary>Past one value starting at <paramref name="i"/>, or -1 when not sure.</summary>
    private static int SkipValue(ReadOnlySpan<byte> s, int i, int depth)
    {
        if (i >= s.Length)
        {
            return -1;
        }

        switch (s[i])
        {
            case (byte)'"':
                var end = StringEnd(s, i + 1);
                return end < 0 ? -1 : end + 1;
            case (byte)'t':
                return s[i..].StartsWith("true"u8) ? i + 4 : -1;
            case (byte)'f':
                return s[i..].StartsWith("false"u8) ? i + 5 : -1;
            case (byte)'n':
                return s[i..].StartsWith("null"u8) ? i + 4 : -1;
            case (byte)'[':
                return depth >= MaxScanDepth ? -1 : SkipArray(s, i + 1, depth + 1);
            case (byte)'{':
                return depth >= MaxScanDepth ? -1 : SkipObject(s, i + 1, depth + 1);
            default:
                return NumberEnd(s, i);
        }
    }

    private static int SkipArray(ReadOnlySpan<byte> s, int i, int depth)
    {
        i = SkipSpace(s, i);
        if (i < s.Length && s[i] == ']')
        {
            return i + 1;
        }

        while (true)
        {
            i = SkipValue(s, i, depth);
            if (i < 0)
            {
                return -1;
            }

            i = SkipSpace(s, i);
            if (i >= s.Length)
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

            i = SkipSpace(s, i + 1);
        }
    }

    private static int SkipObject(ReadOnlySpan<byte> s, int i, int depth)
    {
        i = SkipSpace(s, i);
        if (i < s.Length && s[i] == '}')
        {
            return i + 1;
        }

        while (true)
        {
            if (i >= s.Length || s[i] != '"' || StringEnd(s, i + 1) is var nameEnd && nameEnd < 0)
            {
                return -1;
            }

            i = SkipSpace(s, nameEnd + 1);
            if (i >= s.Length || s[i] != ':')
            {
                return -1;
            }

            i = SkipValue(s, SkipSpace(s, i + 1), depth);
            if (i < 0)
            {
                return -1;
            }

            i = SkipSpace(s, i);
            if (i >= s.Length)
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

            i = SkipSpace(s, i + 1);
        }
    }

    /// <summary>The closing quote of a string whose text starts at <paramref name="i"/>, or -1 (an escape, a raw
    /// control character, no end).</summary>
    private static int StringEnd(ReadOnlySpan<byte> s, int i)
    {
        // 16 bytes at a time without a search's set-up cost: most strings of a record end within the first 16.
        if (Vector128.IsHardwareAccelerated)
        {
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var space = Vector128.Create((byte)' ');
            while (i <= s.Length - Vector128<byte>.Count)
            {
                var chunk = Vector128.Create(s.Slice(i, Vector128<byte>.Count));
                var stops = (Vector128.Equals(chunk, quote) | Vector128.Equals(chunk, backslash) | Vector128.LessThan(chunk, space)).ExtractMostSignificantBits();
                if (stops != 0)
                {
                    var at = i + BitOperations.TrailingZeroCount(stops);
                    return s[at] == '"' ? at : -1;
                }

                i += Vector128<byte>.Count;
            }
        }

        for (; (uint)i < (uint)s.Length; i++)
        {
            var b = s[i];
            if (b == '"')
            {
                return i;
            }

            if (b == '\\' || b < 0x20)
            {
                return -1;
            }
        }

        return -1;
    }

    /// <summary>Past a number by the JSON grammar (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), or -1.</summary>
    private static int NumberEnd(ReadOnlySpan<byte> s, int i)
    {
        if (i < s.Length && s[i] == '-')
        {
            i++;
        }

        if (i >= s.Length || !IsDigit(s[i]))
        {
            return -1;
        }

        if (s[i] == '0')
        {
            i++;
        }
        else
        {
            i = Digits(s, i);
        }

        if (i < s.Length && s[i] == '.')
        {
            if (i + 1 >= s.Length || !IsDigit(s[i + 1]))
            {
                return -1;
            }

            i = Digits(s, i + 1);
        }

        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            if (i < s.Length && (s[i] == '+' || s[i] == '-'))
            {
                i++;
            }

            if (i >= s.Length || !IsDigit(s[i]))
            {
                return -1;
            }

            i = Digits(s, i);
        }

        return i;
    }

    private static int Digits(ReadOnlySpan<byte> s, int i)
    {
        while ((uint)i < (uint)s.Length && IsDigit(s[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static int SkipSpace(ReadOnlySpan<byte> s, int i)
    {
        while ((uint)i < (uint)s.Length && s[i] <= ' ' && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }
}
