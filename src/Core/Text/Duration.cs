using System.Globalization;
using System.Text.RegularExpressions;

namespace PipelineOps.Text;

/// <summary>
/// Durations as operators type them: "90" or 90 (seconds), "250ms", "30s", "5m", "2h", "1d", "1.5h",
/// or a TimeSpan literal such as "00:05:00".
/// </summary>
public static partial class Duration
{
    [GeneratedRegex(@"^\s*(?<n>\d+(?:\.\d+)?)\s*(?<unit>ms|s|m|h|d)?\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Shorthand();

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var match = Shorthand().Match(text);
        if (match.Success)
        {
            var n = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            var unit = match.Groups["unit"].Success ? match.Groups["unit"].Value.ToLowerInvariant() : "s";
            value = unit switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                "d" => TimeSpan.FromDays(n),
                _ => TimeSpan.FromSeconds(n),
            };
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    public static TimeSpan FromSeconds(double seconds) => TimeSpan.FromSeconds(seconds);
}
