using System.Globalization;
using System.Text;
using PipelineOps.IO;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// The row count of a written sample, kept beside it in a hidden file (.name.rows) with the sample's size, so an
/// up-to-date sample reports what it holds without reading it again. A count whose size no longer matches the sample
/// (or none, from an older version) is not trusted: the source is sampled again instead of guessing.
/// </summary>
public static class SampleCount
{
    public static string PathFor(string samplePath) =>
        Path.Combine(Path.GetDirectoryName(samplePath)!, $".{Path.GetFileName(samplePath)}.rows");

    public static void Write(string samplePath, long rows, long bytes, bool flush) =>
        Durable.WriteAllBytes(PathFor(samplePath), Encoding.ASCII.GetBytes(FormattableString.Invariant($"{rows} {bytes}\n")), flush);

    /// <summary>The rows of the sample as it is now, or null when no count matches it.</summary>
    public static long? Read(FileInfo sample)
    {
        string text;
        try
        {
            text = File.ReadAllText(PathFor(sample.FullName), Encoding.ASCII);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var parts = text.Trim().Split(' ');
        return parts.Length == 2
               && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var rows)
               && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
               && bytes == sample.Length
            ? rows
            : null;
    }
}
