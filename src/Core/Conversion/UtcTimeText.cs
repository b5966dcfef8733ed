using System.Runtime.CompilerServices;

namespace PipelineOps.Conversion;

/// <summary>
/// The one time format feeds nearly always use, 2025-11-14T00:00:00.001336Z, read without the general ISO-8601
/// parser. Anything else (offsets, more than seven fraction digits, out-of-range parts) is left to that parser.
/// </summary>
internal static class UtcTimeText
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTime time)
    {
        time = default;
        if (text.Length is < 20 or > 28 || text[^1] != (byte)'Z'
            || text[4] != (byte)'-' || text[7] != (byte)'-' || text[10] != (byte)'T' || text[13] != (byte)':' || text[16] != (byte)':')
        {
            return false;
        }

        var year = (Pair(text, 0) * 100) + Pair(text, 2);
        var month = Pair(text, 5);
        var day = Pair(text, 8);
        var hour = Pair(text, 11);
        var minute = Pair(text, 14);
        var second = Pair(text, 17);
        if ((year | month | day | hour | minute | second) < 0)
        {
            return false; // a part that is not two digits
        }

        var ticks = 0;
        if (text.Length > 20)
        {
            // ".d" to ".ddddddd": tenths of a second down to ticks.
            if (text.Length < 22 || text[19] != (byte)'.')
            {
                return false;
            }

            for (var i = 20; i < 27; i++)
            {
                var digit = i < text.Length - 1 ? text[i] - '0' : 0;
                if ((uint)digit > 9)
                {
                    return false;
                }

                ticks = (ticks * 10) + digit;
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

    /// <summary>The two digits at <paramref name="at"/> as a number, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Pair(ReadOnlySpan<byte> text, int at)
    {
        var tens = (uint)(text[at] - '0');
        var ones = (uint)(text[at + 1] - '0');
        return tens <= 9 && ones <= 9 ? (int)((tens * 10) + ones) : -1;
    }
}
