using System.Globalization;
using System.Text.RegularExpressions;

namespace PipelineOps.Files;

/// <summary>
/// The date/hour stamp a rotated file carries in its name, and the group (series) it belongs to:
/// <c>level2_20251114.txt</c> and <c>level2_20251114_15.txt</c> are both in group <c>level2</c>.
/// </summary>
/// <remarks>
/// Recognised stamps: <c>yyyyMMdd</c>, <c>yyyy-MM-dd</c>, optionally followed by an hour, hour+minute or
/// hour+minute+second part (<c>_HH</c>, <c>_HHmm</c>, <c>_HHmmss</c>, <c>THH</c>...), optionally followed by a
/// sequence number (<c>.2</c>, <c>-2</c>, <c>_002</c>) as written by a collector that must not reuse a name.
/// </remarks>
public sealed partial record FileNameStamp(string Group, DateTime Start, int Sequence)
{
    // Lazy prefix so the first plausible date wins: l2_BTCUSD_20251022_150446.jsonl -> group l2_BTCUSD.
    // Generated at build time (and precompiled with the rest): a Compiled regex was emitted and JIT-compiled in every
    // process that met a file name, about the largest method a short run compiled.
    [GeneratedRegex(
        @"^(?<group>.*?)[_\-.]?(?<date>(?:19|20)\d{2}(?<dash>-?)\d{2}\k<dash>\d{2})" +
        @"(?:[_T\-](?<time>\d{2}(?:\d{2}(?:\d{2})?)?))?" +
        @"(?:[._\-](?<seq>\d{1,6}))?" +
        @"(?<ext>(?:\.[A-Za-z][A-Za-z0-9]{0,15})*)$",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Pattern();

    /// <summary>Parses a file name (no directory). Returns null when the name carries no valid stamp.</summary>
    public static FileNameStamp? TryParse(string fileName)
    {
        var match = Pattern().Match(fileName);
        if (!match.Success)
        {
            return null;
        }

        var date = match.Groups["date"].Value.Replace("-", "", StringComparison.Ordinal);
        if (!DateTime.TryParseExact(date, "yyyyMMdd", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var start))
        {
            return null;
        }

        var time = match.Groups["time"];
        if (time.Success)
        {
            var digits = time.Value.PadRight(6, '0');
            var hour = int.Parse(digits.AsSpan(0, 2), CultureInfo.InvariantCulture);
            var minute = int.Parse(digits.AsSpan(2, 2), CultureInfo.InvariantCulture);
            var second = int.Parse(digits.AsSpan(4, 2), CultureInfo.InvariantCulture);
            if (hour > 23 || minute > 59 || second > 59)
            {
                return null;
            }

            start = start.Add(new TimeSpan(hour, minute, second));
        }

        var seq = match.Groups["seq"];
        var sequence = seq.Success ? int.Parse(seq.Value, CultureInfo.InvariantCulture) : 0;
        return new FileNameStamp(match.Groups["group"].Value, DateTime.SpecifyKind(start, DateTimeKind.Utc), sequence);
    }

    /// <summary>True when this stamp is later in its series than <paramref name="other"/>.</summary>
    public bool IsNewerThan(FileNameStamp other) =>
        Start != other.Start ? Start > other.Start : Sequence > other.Sequence;

    public bool IsSamePositionAs(FileNameStamp other) => Start == other.Start && Sequence == other.Sequence;
}
