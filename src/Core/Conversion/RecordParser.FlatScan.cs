using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace PipelineOps.Conversion;

/// <summary>
/// The flat scan: most records are one object of plain names and values, which a direct scan of the bytes parses
/// several times faster than a general JSON reader. Arrays and objects inside still go to Utf8JsonReader.
/// </summary>
public sealed partial class RecordParser
{
    // Where the plain part of a JSON string stops: its closing quote, an escape, or a control character (invalid there).
    private static readonly SearchValues<byte> StringStops = SearchValues.Create(
        [(byte)'"', (byte)'\\', .. Enumerable.Range(0, 0x20).Select(b => (byte)b)]);

    // A nested value starts one level below the record's object.
    private static readonly JsonReaderOptions NestedOptions = new()
    {
        MaxDepth = ReaderOptions.MaxDepth - 1,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>
    /// Parses a record whose names and strings have no escapes. Anything else (escapes, bad JSON, a number beyond
    /// double's range) makes it return false with no error, and the general reader parses the line again and has the last
    /// word; so a line this accepts is one the general reader accepts, with the same values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryScan(ReadOnlySpan<byte> line)
    {
        var i = SkipSpace(line, 0);
        if (i == line.Length || line[i] != '{')
        {
            return false;
        }

        i = SkipSpace(line, i + 1);
        if (i < line.Length && line[i] == '}')
        {
            return SkipSpace(line, i + 1) == line.Length;
        }

        for (var position = 0; ; position++)
        {
            if (i == line.Length || line[i] != '"')
            {
                return false;
            }

            // Most names are the one recent records had here: compared whole, they need no scan for their end.
            var index = Recent(line[(i + 1)..], position, nameThenQuote: true);
            var nameEnd = index >= 0 ? i + 1 + _utf8Names[index].Length : StringEnd(line, i);
            if (nameEnd < 0)
            {
                return false;
            }

            var name = line[(i + 1)..nameEnd];
            i = SkipSpace(line, nameEnd + 1);
            if (i == line.Length || line[i] != ':')
            {
                return false;
            }

            if (index < 0)
            {
                index = FieldIndex(name, position); // only now, as the general reader knows a name only with its colon
            }

            i = SkipSpace(line, i + 1);

            // The value goes straight into its slot: copying a value with a string in it costs a GC write barrier.
            ref var slot = ref _unknownValue;
            if (index < 0)
            {
                UnknownFields++;
                slot = default;
            }
            else
            {
                slot = ref _values[index];
                if (slot.Kind == ValueKind.Missing)
                {
                    _present.Add(index);
                }
                else
                {
                    slot = default; // a repeated key: the last one wins
                }
            }

            var isTime = index >= 0 && _isTime[index];
            var materialize = index >= 0 && (MaterializeStrings || _needsText[index]);
            if (!TryScanValue(line, ref i, isTime, materialize, ref slot))
            {
                return false;
            }

            i = SkipSpace(line, i);
            if (i == line.Length)
            {
                return false;
            }

            if (line[i] == '}')
            {
                return SkipSpace(line, i + 1) == line.Length;
            }

            if (line[i] != ',')
            {
                return false;
            }

            i = SkipSpace(line, i + 1);
        }
    }

    /// <summary>Reads the value at <paramref name="i"/> and moves past it.</summary>
    /// <param name="value">An empty value to fill in.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryScanValue(ReadOnlySpan<byte> line, ref int i, bool isTime, bool materialize, ref FieldValue value)
    {
        var start = i;
        value.RawStart = start;
        if (i == line.Length)
        {
            return false;
        }

        switch (line[i])
        {
            case (byte)'"':
                var end = StringEnd(line, i);
                if (end < 0)
                {
                    return false;
                }

                var text = line[(i + 1)..end];
                value.Kind = ValueKind.String;
                if (materialize)
                {
                    value.Text = Encoding.UTF8.GetString(text);
                }

                if (isTime)
                {
                    value.Time = TimeOf(line[start..(end + 1)], text);
                }

                i = end + 1;
                break;
            case (byte)'t' or (byte)'f' or (byte)'n':
                value.Kind = ScanLiteral(line, ref i);
                if (value.Kind == ValueKind.Missing)
                {
                    return false;
                }

                break;
            case (byte)'[' when TryScanArray(line, ref i, ref value):
                break;
            case (byte)'[' or (byte)'{':
                if (!TryScanNested(line[i..], out var nested))
                {
                    return false;
                }

                value = nested;
                value.RawStart = start;
                i += value.RawLength;
                return true;
            default:
                var numberEnd = NumberEnd(line, i);
                if (numberEnd < 0 || !TryNumber(line[i..numberEnd], ref value))
                {
                    return false;
                }

                if (isTime)
                {
                    value.Time = EpochTime(value);
                }

                i = numberEnd;
                break;
        }

        value.RawLength = i - start;
        return true;
    }

    /// <summary>
    /// An array of plain scalars and arrays (no objects, no escapes, at most 8 deep), scanned for what
    /// <see cref="ScanArray"/> notes: the depth and kinds of its leaves. False for anything else, leaving
    /// <paramref name="i"/> as it was, for Utf8JsonReader to read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryScanArray(ReadOnlySpan<byte> line, ref int i, ref FieldValue value)
    {
        var at = i;
        var level = 0;
        bool scalarsAtTop = false, arraysInside = false, irregular = false;
        var leaves = LeafKinds.None;
        while (true)
        {
            // At the start of a value.
            if (at == line.Length)
            {
                return false;
            }

            var c = line[at];
            if (c == '[')
            {
                if (level > 0)
                {
                    irregular |= level >= 2;
                    arraysInside = true;
                }

                if (++level > 8)
                {
                    return false;
                }

                at = SkipSpace(line, at + 1);
                if (at < line.Length && line[at] == ']')
                {
                    level--;
                    at++;
                }
                else
                {
                    continue;
                }
            }
            else
            {
                var kind = ScanLeaf(line, ref at);
                if (kind == ValueKind.Missing)
                {
                    return false;
                }

                if (kind != ValueKind.Null)
                {
                    scalarsAtTop |= level == 1;
                    leaves |= LeafKindOf(kind);
                }
            }

            // After a value: a comma and the next value, or the end of one or more arrays.
            while (true)
            {
                if (level == 0)
                {
                    value.Kind = ValueKind.Nested;
                    value.ArrayLeaves = leaves;
                    value.ArrayDepth = ArrayDepthOf(irregular, scalarsAtTop, arraysInside);
                    i = at;
                    return true;
                }

                at = SkipSpace(line, at);
                if (at == line.Length)
                {
                    return false;
                }

                if (line[at] == ',')
                {
                    at = SkipSpace(line, at + 1);
                    break;
                }

                if (line[at] != ']')
                {
                    return false;
                }

                level--;
                at++;
            }
        }
    }

    /// <summary>A scalar inside an array, by the kinds <see cref="ScalarKind"/> gives; Missing for anything else.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ValueKind ScanLeaf(ReadOnlySpan<byte> line, ref int at)
    {
        switch (line[at])
        {
            case (byte)'"':
                var end = StringEnd(line, at);
                if (end < 0)
                {
                    return ValueKind.Missing;
                }

                at = end + 1;
                return ValueKind.String;
            case (byte)'t' or (byte)'f' or (byte)'n':
                return ScanLiteral(line, ref at);
            default:
                var numberEnd = NumberEnd(line, at);
                if (numberEnd < 0)
                {
                    return ValueKind.Missing;
                }

                var number = line[at..numberEnd];
                at = numberEnd;
                return !IsIntegral(number) ? FitsDouble(number) ? ValueKind.Float : ValueKind.BigInteger
                    : TryInt64(number, out _) ? ValueKind.Integer : ValueKind.BigInteger;
        }
    }

    /// <summary>true, false or null at <paramref name="at"/>, moving past it; Missing for anything else.</summary>
    private static ValueKind ScanLiteral(ReadOnlySpan<byte> line, ref int at)
    {
        var rest = line[at..];
        var (kind, length) = rest.StartsWith("true"u8) ? (ValueKind.True, 4)
            : rest.StartsWith("false"u8) ? (ValueKind.False, 5)
            : rest.StartsWith("null"u8) ? (ValueKind.Null, 4)
            : (ValueKind.Missing, 0);
        at += length;
        return kind;
    }

    /// <summary>An integral JSON number's value, if it fits in Int64 (as Utf8JsonReader.TryGetInt64 decides).</summary>
    private static bool TryInt64(ReadOnlySpan<byte> number, out long value) =>
        Utf8Parser.TryParse(number, out value, out var used) && used == number.Length;

    /// <summary>An array or object, read by Utf8JsonReader from its first byte to its last.</summary>
    private static bool TryScanNested(ReadOnlySpan<byte> rest, out FieldValue value)
    {
        try
        {
            var reader = new Utf8JsonReader(rest, isFinalBlock: true, new JsonReaderState(NestedOptions));
            reader.Read();
            value = ReadValue(ref reader, isTime: false, materialize: false);
            return true;
        }
        catch (JsonException)
        {
            value = default;
            return false;
        }
    }

    /// <summary>The time in a string as the general reader takes it (<see cref="TimeOf(ref Utf8JsonReader)"/>),
    /// with the usual UTC form read without a reader.</summary>
    private static DateTime? TimeOf(ReadOnlySpan<byte> quoted, ReadOnlySpan<byte> text)
    {
        if (UtcTimeText.TryParse(text, out var utc))
        {
            return utc;
        }

        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return TimeOf(ref reader);
    }

    /// <summary>An integer that fits in Int64, any other integer, or a number with a fraction or exponent; false for a
    /// number beyond double's range, left to the general reader (rare, and it decides what that becomes).</summary>
    private static bool TryNumber(ReadOnlySpan<byte> number, ref FieldValue value)
    {
        var integral = IsIntegral(number);
        if (integral && TryInt64(number, out var integer))
        {
            value.Kind = ValueKind.Integer;
            value.Integer = integer;
            value.Float = integer;
            return true;
        }

        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) || !double.IsFinite(real))
        {
            return false;
        }

        value.Kind = integral ? ValueKind.BigInteger : ValueKind.Float;
        value.Float = real;
        return true;
    }

    /// <summary>Where the string starting with the quote at <paramref name="quote"/> ends (its closing quote), or -1
    /// if it has an escape or a control character or is not a string.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int StringEnd(ReadOnlySpan<byte> line, int quote)
    {
        if (quote >= line.Length || line[quote] != '"')
        {
            return -1;
        }

        // Names and most values are short: a plain loop finds their end sooner than a vectorized search starts up.
        var i = quote + 1;
        for (var shortEnd = Math.Min(line.Length, i + 32); i < shortEnd; i++)
        {
            var b = line[i];
            if (b == '"')
            {
                return i;
            }

            if (b == '\\' || b < 0x20)
            {
                return -1;
            }
        }

        var length = line[i..].IndexOfAny(StringStops);
        return length >= 0 && line[i + length] == '"' ? i + length : -1;
    }

    /// <summary>Where a JSON number starting at <paramref name="i"/> ends, or -1 if none starts there:
    /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?</summary>
    private static int NumberEnd(ReadOnlySpan<byte> line, int i)
    {
        if (i < line.Length && line[i] == '-')
        {
            i++;
        }

        if (i == line.Length || !char.IsAsciiDigit((char)line[i]))
        {
            return -1;
        }

        i = line[i] == '0' ? i + 1 : Digits(line, i);
        if (i < line.Length && line[i] == '.')
        {
            var fraction = Digits(line, i + 1);
            if (fraction == i + 1)
            {
                return -1;
            }

            i = fraction;
        }

        if (i < line.Length && line[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < line.Length && line[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            var exponent = Digits(line, i);
            if (exponent == i)
            {
                return -1;
            }

            i = exponent;
        }

        return i;
    }

    private static int Digits(ReadOnlySpan<byte> line, int i)
    {
        while (i < line.Length && char.IsAsciiDigit((char)line[i]))
        {
            i++;
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipSpace(ReadOnlySpan<byte> line, int i)
    {
        while (i < line.Length && line[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }
}
