namespace PipelineOps.Paths;

/// <summary>The file names that stand for JSON-lines data when a folder is given without -Filter.</summary>
internal static class JsonLinesNames
{
    private static readonly string[] Extensions = [".jsonl", ".ndjson", ".txt", ".jsonl.gz", ".ndjson.gz", ".txt.gz"];

    public static bool IsJsonLines(string name) => Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
}
