namespace PipelineOps.Module.Tests.Support;

/// <summary>A folder shaped like a collector's output: completed days, today's files, a temp upload, odd names.</summary>
public sealed class SampleData : IDisposable
{
    private static readonly DateTime LongAgo = DateTime.UtcNow.AddHours(-6);

    public SampleData()
    {
        Root = Path.Combine(Path.GetTempPath(), "pipelineops-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Write("level2_20251113.txt", "{\"type\":\"l2update\"}\n");
        Write("level2_20251114.txt", "{\"type\":\"l2update\"}\n");
        Write("ticker_20251113.jsonl", "{\"type\":\"ticker\"}\n");
        Write("ticker_20251114.jsonl", "{\"type\":\"ticker\"}\n{\"type\":\"tic");
        Write("temp_upload.csv", "a,b\n");
        Write("odd[1]_20251112.jsonl", "{\"n\":1}\n");
        Write("odd[1]_20251113.jsonl", "{\"n\":2}\n");
        Write("archive/level2_20251101.txt", "{}\n");
    }

    public string Root { get; }

    /// <summary>The top-level files nothing is writing: older days of each series, complete, quiet.</summary>
    public static readonly string[] Complete = ["level2_20251113.txt", "odd[1]_20251112.jsonl", "ticker_20251113.jsonl"];

    public const int TopLevelFileCount = 7;

    public string PathOf(string name) => Path.Combine(Root, name);

    public string Write(string name, string content, DateTime? lastWriteUtc = null)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, lastWriteUtc ?? LongAgo);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
