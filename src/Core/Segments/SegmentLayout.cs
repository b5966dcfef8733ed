using System.Globalization;
using System.Text.RegularExpressions;

namespace PipelineOps.Segments;

/// <summary>
/// Where segments live under a collector's directory: active/ (row journals being written), ready/ (whole Parquet
/// files only), quarantine/ (what could not be used, never deleted). Below each: {stream}/{k=v}/.../ then
/// {stream}_{stamp}_{seq}.rows.jsonl in active/ and {stream}_{stamp}_{seq}.parquet in ready/.
/// </summary>
public static partial class SegmentLayout
{
    public const string JournalExtension = ".rows.jsonl";
    public const string ParquetExtension = ".parquet";

    public static string Active(string directory) => Path.Combine(directory, "active");

    public static string Ready(string directory) => Path.Combine(directory, "ready");

    public static string Quarantine(string directory) => Path.Combine(directory, "quarantine");

    /// <summary>The segment's name without extension: level2_20251114_07_0003 (sequence zero-padded, so names sort).</summary>
    public static string BaseName(string stream, string stamp, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{stream}_{stamp}_{sequence:D4}");

    public static bool IsJournal(string path) => path.EndsWith(JournalExtension, StringComparison.Ordinal);

    /// <summary>The ready/ name of a journal or Parquet file in active/: same relative folder, .parquet; a second
    /// output of one journal (records of two dates) gets -1, -2 before the extension.</summary>
    public static string ReadyPathFor(string directory, string activePath, int part = 0)
    {
        var relative = Path.GetRelativePath(Active(directory), activePath);
        var name = Path.GetFileName(relative);
        var stem = IsJournal(name) ? name[..^JournalExtension.Length]
            : name.EndsWith(ParquetExtension, StringComparison.Ordinal) ? name[..^ParquetExtension.Length] : name;
        var file = part == 0 ? stem + ParquetExtension : string.Create(CultureInfo.InvariantCulture, $"{stem}-{part}{ParquetExtension}");
        return Path.Combine(Ready(directory), Path.GetDirectoryName(relative)!, file);
    }

    /// <summary>Where a file of active/ is kept when it cannot be used: same relative path under quarantine/, never
    /// replacing an earlier one.</summary>
    public static string QuarantinePathFor(string directory, string activePath)
    {
        var target = Path.Combine(Quarantine(directory), Path.GetRelativePath(Active(directory), activePath));
        var candidate = target;
        for (var n = 1; File.Exists(candidate); n++)
        {
            candidate = target + string.Create(CultureInfo.InvariantCulture, $".{n}");
        }

        return candidate;
    }

    /// <summary>The stream of a file under active/: its first folder.</summary>
    public static string StreamOf(string directory, string activePath)
    {
        var relative = Path.GetRelativePath(Active(directory), activePath);
        var separator = relative.IndexOfAny(['/', '\\']);
        return separator < 0 ? "data" : relative[..separator];
    }

    /// <summary>The partition field names of a file under active/, from its k=v folders.</summary>
    public static IReadOnlyList<string> PartitionFieldsOf(string directory, string activePath)
    {
        var relative = Path.GetRelativePath(Active(directory), Path.GetDirectoryName(activePath)!);
        return relative.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(part => part.IndexOf('=', StringComparison.Ordinal) is var i and > 0 ? part[..i] : null)
            .OfType<string>().ToArray();
    }

    /// <summary>The sequence number at the end of a segment name, or null.</summary>
    public static int? SequenceOf(string fileName) =>
        SequencePattern().Match(fileName) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"_(\d{4,})(?:-\d+)?(?:\.rows\.jsonl|\.parquet)$")]
    private static partial Regex SequencePattern();
}
