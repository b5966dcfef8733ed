namespace PipelineOps.Files;

/// <summary>What a file's name alone says about it.</summary>
public static class FileNameRules
{
    private static readonly string[] TempSuffixes = [".tmp", ".partial", ".inprogress"];
    private static readonly string[] LineOrientedExtensions = [".jsonl", ".ndjson", ".txt", ".csv"];

    /// <summary>The rename-when-complete convention: temp_ prefix or .tmp/.partial/.inprogress suffix.</summary>
    public static bool IsTempName(string fileName) =>
        fileName.StartsWith("temp_", StringComparison.OrdinalIgnoreCase) ||
        TempSuffixes.Any(s => fileName.EndsWith(s, StringComparison.OrdinalIgnoreCase));

    /// <summary>Files made of newline-terminated records, whose last byte tells whether a write was cut short.</summary>
    public static bool IsLineOriented(string fileName) =>
        LineOrientedExtensions.Any(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    public static bool IsParquet(string fileName) => fileName.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>The group of a file that carries no date stamp: its name without the last extension.</summary>
    public static string BareGroup(string fileName) => Path.GetFileNameWithoutExtension(fileName);
}
