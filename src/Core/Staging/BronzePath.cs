using System.Globalization;
using System.Text.RegularExpressions;

namespace PipelineOps.Staging;

/// <summary>
/// Maps a raw file to its bronze path, as the staging design has it: raw/env0/data.csv written 2026-01-18 14:30:00 UTC
/// becomes bronze/2026/01/18/143000--data.csv. Folder segments matching the environment pattern are dropped, other
/// subfolders are kept under the date, and the time prefix keeps a day's files sorted by write time.
/// </summary>
public static class BronzePath
{
    /// <summary>The environment segments of the design's raw layout: env0, env1, ...</summary>
    public const string DefaultEnvironmentPattern = "^env[0-9]+$";

    /// <summary>The bronze path (relative to the dataset folder, forward slashes) of a raw file.</summary>
    /// <param name="rawRelative">The raw file's path relative to the raw root.</param>
    /// <param name="timeUtc">The time that dates it: its mtime, or a given time.</param>
    /// <param name="environment">Folder segments matching this are removed; null keeps every segment.</param>
    /// <param name="attempt">0 for the plain name; n &gt; 0 for the n-th alternative when the name is taken.</param>
    public static string Map(string rawRelative, DateTime timeUtc, Regex? environment, int attempt = 0)
    {
        var segments = rawRelative.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments.Any(s => s is "." or ".."))
        {
            throw new ArgumentException($"'{rawRelative}' is not a path inside the raw root.", nameof(rawRelative));
        }

        var folders = segments[..^1].Where(s => environment is null || !environment.IsMatch(s));
        var stamp = timeUtc.ToUniversalTime().ToString("HHmmss", CultureInfo.InvariantCulture);
        var prefix = attempt == 0 ? stamp : $"{stamp}-{attempt}";
        return string.Join('/', new[] { "bronze", timeUtc.ToUniversalTime().ToString("yyyy/MM/dd", CultureInfo.InvariantCulture) }
            .Concat(folders)
            .Append($"{prefix}--{segments[^1]}"));
    }

    /// <summary>A raw file's path relative to the raw root; ArgumentException when it is not inside it.</summary>
    public static string RelativeToRoot(string rawRoot, string rawFile)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rawRoot));
        var full = Path.GetFullPath(rawFile);
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{full}' is not inside the raw root '{root}'.", nameof(rawFile));
        }

        return Path.GetRelativePath(root, full);
    }
}
