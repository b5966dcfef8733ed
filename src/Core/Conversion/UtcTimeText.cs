namespace PipelineOps.Conversion;

/// <summary>
/// The one time format feeds nearly always use, 2025-11-14T00:00:00.001336Z, read without the general ISO-8601
/// parser. Anything else (offsets, more than seven fraction digits, out-of-range parts) is left to that parser.
/// </summary>
internal static class UtcTimeText
{
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTime time)
    {
        time = default;
        if (text.Length < 20 || text.Length > 28 || text[^1] != (byte)'Z'
            || text[4] != (byte)'-' || text[7] != (byte)'-' || text[10] != (byte)'T' || text[13] != (byte)':' || text[16] != (byte)':'
            || !TryDigits(text.Slice(0, 4), out var year) || !TryDigits(text.Slice(5, 2), out var month)
            || !TryDigits(text.Slice(8, 2), out var day) || !TryDigits(text.Slice(11, 2), out var hour)
            || !TryDigits(text.Slice(14, 2), out var minute) || !TryDigits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        var ticks = 0;
        if (text.Length > 20)
        {
            // ".d" to ".ddddddd": tenths of a second down to ticks.
            var fraction = text[19..^1];
            if (fraction.Length < 2 || fraction[0] != (byte)'.' || !TryDigits(fraction[1..], out ticks))
            {
                return false;
            }

            for (var i = fraction.Length - 1; i < 7; i++)
            {
                ticks *= 10;
            }
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        time = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(ticks);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var b in digits)
        {
            var digit = b - (byte)'0';
            if ((uint)digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }
}
